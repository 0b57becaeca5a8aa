"""The project's command line: ``lcadmin demo-data``, ``lcadmin check-settings``,
``lcadmin jobs run`` (the background jobs once, for a cron), ``lcadmin worker`` (the background jobs
in a loop, until SIGTERM) and ``lcadmin usage import FILE.csv``
(holders' last activity in the vendor's product)."""

from __future__ import annotations

import argparse
import sys

from sqlmodel import select

from lcadmin.settings import SettingsError, get_settings


def _demo_data(args: argparse.Namespace) -> int:
    from lcadmin.db import session_scope
    from lcadmin.demo import DEMO_PASSWORD, demo_data_present, load_demo_data
    from lcadmin.models import Company
    from lcadmin.services.passwords import hash_password

    with session_scope() as session:
        if demo_data_present(session):
            print("Demo data already loaded: nothing to do.")
            return 0
        if args.if_empty and session.exec(select(Company.id)).first() is not None:
            print("The database already holds companies: demo data not loaded.")
            return 0
        load_demo_data(session, password_hash=hash_password(DEMO_PASSWORD))
    print("Demo data loaded: Flexis and Acme Logistique.")
    return 0


def _check_settings(_args: argparse.Namespace) -> int:
    settings = get_settings()
    print(f"Settings valid: env={settings.env}, public URL {settings.public_url}, "
          f"vendor {settings.vendor.name}, default locale {settings.default_locale}.")
    return 0


def _jobs_run(_args: argparse.Namespace) -> int:
    from lcadmin.jobs import run_once
    from lcadmin.logs import log_to_stderr

    log_to_stderr(get_settings().log_format)

    counts = run_once()
    print("Jobs run: " + ", ".join(f"{name.replace('_', ' ')} {count}" for name, count in counts.items()) + ".")
    return 0


def _worker(args: argparse.Namespace) -> int:
    from lcadmin.worker import run

    return run() if args.grace is None else run(grace=args.grace)


def _serve(args: argparse.Namespace) -> int:
    from lcadmin.serve import StartRefused, serve

    try:
        serve(get_settings(), host=args.host, port=args.port, build="never" if args.no_build else "auto")
    except StartRefused as refusal:
        print(f"lcadmin will not start: {refusal}", file=sys.stderr)
        return 2
    return 0


def _build(_args: argparse.Namespace) -> int:
    from lcadmin.serve import StartRefused, build_frontend, build_is_current, build_lock

    settings = get_settings()
    with build_lock():  # an instance starting meanwhile waits for it
        if build_is_current(settings):
            print("The frontend is already built from this code and these settings.")
            return 0
        try:
            build_frontend(settings)
        except StartRefused as refusal:
            print(f"Build failed: {refusal}", file=sys.stderr)
            return 2
    print(f"Frontend built for {settings.public_url}.")
    return 0


def _usage_import(args: argparse.Namespace) -> int:
    from lcadmin.db import session_scope
    from lcadmin.models import utcnow
    from lcadmin.services.licences.usage import import_usage

    try:
        data = open(args.file, "rb").read()  # noqa: SIM115 - read at once
    except OSError as error:
        print(f"Cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    try:
        with session_scope() as session:
            done = import_usage(session, data, now=utcnow())
    except UnicodeDecodeError:
        print(f"{args.file} is not UTF-8 text: export it as CSV UTF-8.", file=sys.stderr)
        return 2
    print(f"Usage imported: {done.updated} updated, {done.unchanged} unchanged, {done.unknown} unknown"
          + (f", unreadable lines: {', '.join(map(str, done.invalid[:20]))}" if done.invalid else "") + ".")
    return 0


def _backup(args: argparse.Namespace) -> int:
    from lcadmin.backup import run_backup

    return run_backup(get_settings().db_url, args.file, overwrite=args.overwrite)


def _restore(args: argparse.Namespace) -> int:
    from lcadmin.backup import run_restore

    return run_restore(get_settings().db_url, args.file)


def build_parser() -> argparse.ArgumentParser:
    """The ``lcadmin`` command's arguments (the systemd units' command lines are checked against it)."""
    parser = argparse.ArgumentParser(prog="lcadmin", description="lcadmin administration commands")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo-data", help="load the demo companies, accounts, orders and invoices")
    demo.add_argument("--if-empty", action="store_true",
                      help="only when the database holds no company at all")
    demo.set_defaults(run=_demo_data)
    check = commands.add_parser("check-settings", help="validate the LCADMIN_* settings and say so")
    check.set_defaults(run=_check_settings)
    jobs = commands.add_parser("jobs", help="the background jobs (collections, notices, reconciliation, e-mail)")
    jobs_commands = jobs.add_subparsers(dest="jobs_command", required=True)
    jobs_commands.add_parser("run", help="run every job once (safe beside the running app)").set_defaults(
        run=_jobs_run)
    worker = commands.add_parser("worker", help="run the background jobs until SIGTERM (LCADMIN_BACKGROUND=worker)")
    worker.add_argument("--grace", type=float, metavar="SECONDS",
                        help="how long a stop waits for the rounds under way (default: longer than an e-mail "
                             "conversation may last)")
    worker.set_defaults(run=_worker)
    serving = commands.add_parser("serve", help="check, build the frontend if needed, and serve in production mode")
    serving.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    serving.add_argument("--port", type=int, default=3000, help="the port (default 3000)")
    serving.add_argument("--no-build", action="store_true", help="refuse to start rather than build the frontend")
    serving.set_defaults(run=_serve)
    commands.add_parser("build", help="build the production frontend (what serve would build)").set_defaults(
        run=_build)
    usage = commands.add_parser("usage", help="holders' activity in the vendor's product")
    usage_commands = usage.add_subparsers(dest="usage_command", required=True)
    importing = usage_commands.add_parser("import", help="import a CSV of email,product,last_active_at (idempotent)")
    importing.add_argument("file", help="the CSV file")
    importing.set_defaults(run=_usage_import)
    backing_up = commands.add_parser("backup", help="copy the SQLite database to FILE while the app runs")
    backing_up.add_argument("file", help="the backup file to write")
    backing_up.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    backing_up.set_defaults(run=_backup)
    restoring = commands.add_parser("restore", help="replace the SQLite database by the backup FILE (app stopped)")
    restoring.add_argument("file", help="a file written by `lcadmin backup`")
    restoring.set_defaults(run=_restore)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``lcadmin`` command."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except SettingsError as error:
        print(f"Invalid setting: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
