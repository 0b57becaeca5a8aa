"""The project's command line: ``lcadmin demo-data``, ``lcadmin check-settings``,
``lcadmin jobs run`` (the background jobs once, for a cron) and ``lcadmin usage import FILE.csv``
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

    counts = run_once()
    print("Jobs run: " + ", ".join(f"{name.replace('_', ' ')} {count}" for name, count in counts.items()) + ".")
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


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``lcadmin`` command."""
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
    usage = commands.add_parser("usage", help="holders' activity in the vendor's product")
    usage_commands = usage.add_subparsers(dest="usage_command", required=True)
    importing = usage_commands.add_parser("import", help="import a CSV of email,product,last_active_at (idempotent)")
    importing.add_argument("file", help="the CSV file")
    importing.set_defaults(run=_usage_import)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except SettingsError as error:
        print(f"Invalid setting: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
