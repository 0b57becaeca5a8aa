"""Does slow work stall the others? The app in production mode, 50 Socket.IO clients sending a
cheap event in a loop (each pausing 50 ms between two, so that the cheap load alone does not
saturate this 2-core machine, where this script runs too), then the same while one more client
signs in over and over (argon2) and another downloads a 200-line invoice PDF over and over.

Prints the cheap events' round-trip median and p99 without and with that background work, and
their ratio (target: p99 with background work at most 1.5 x the p99 without it).

    .venv/bin/python bench/bench_event_loop.py [--clients 50] [--seconds 20]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import select  # noqa: E402

from lcadmin.db import session_scope  # noqa: E402
from lcadmin.demo import DEMO_PASSWORD  # noqa: E402
from lcadmin.models import Company, UserAccount, utcnow  # noqa: E402
from lcadmin.services import sessions  # noqa: E402
from lcadmin.services.context import system  # noqa: E402
from lcadmin.services.invoicing import LineInput, issue_invoice  # noqa: E402
from lcadmin.settings import load_settings  # noqa: E402
from lcadmin.states.auth import AuthState  # noqa: E402
from lcadmin.states.invoices import InvoicesState  # noqa: E402
from tests.e2e.conftest import Inbox, ProductionApp  # noqa: E402
from tests.sio import SocketClient, handler_name  # noqa: E402

CHEAP = handler_name(AuthState, "toggle_password")
_CPU: list[float] = []  # the machine's busy share during each phase, in %
_MP = multiprocessing.get_context("spawn")
_DONE: list[int] = []  # how many sign-ins and downloads the slow clients made while timed


def _big_invoice(app: ProductionApp) -> str:
    lines = [LineInput(f"Prestation {n:03d}", 1 + n % 5, 10_00 + n, 2000) for n in range(200)]
    with session_scope(app.engine) as session:
        flexis = session.exec(select(Company).where(Company.name == "Flexis")).one()
        invoice = issue_invoice(session, system(), company_id=flexis.id, lines=lines, issue_date=utcnow().date(),
                                payment_terms_days=30, period=None, vendor=load_settings({}).vendor)
        return invoice.number


def _cookie(app: ProductionApp, email: str) -> str:
    settings = load_settings({"LCADMIN_ENV": "demo", "LCADMIN_SECRET_KEY": app.secret_key, "LCADMIN_PUBLIC_URL": app.url})
    with session_scope(app.engine) as session:
        user = session.exec(select(UserAccount).where(UserAccount.email == email)).one()
        code = sessions.create_handoff(session, user_id=user.id, company_id=sessions.default_company_id(session, user.id),
                                       return_to=app.url, ip=None, now=utcnow())
    with session_scope(app.engine) as session:
        raw_id, _ = sessions.redeem_handoff(session, code=code, binding=sessions.handoff_binding(code, app.secret_key),
                                            previous_session=None, ip=None, user_agent="bench", settings=settings,
                                            now=utcnow())
    return f"{sessions.SESSION_COOKIE}={raw_id}"


def _round_trip(client: SocketClient, name: str, payload: dict, timeout: float = 30.0) -> float:
    before = len(client.updates)
    started = time.perf_counter()
    client.emit(name, payload)
    client.wait_for(lambda update: True, after=before, timeout=timeout)
    return time.perf_counter() - started


def _cheap_loop(app: ProductionApp, stop: threading.Event, latencies: list[float], ready: threading.Barrier,
                pause: float) -> None:
    client = SocketClient(app.url, origin=app.url, pathname="/sign-in")
    client.hydrate()
    ready.wait()
    while not stop.is_set():
        latencies.append(_round_trip(client, CHEAP, {"_checked": True}))
        client.updates.clear()
        time.sleep(pause)
    client.close()


def _signing_in(url: str, stop, pause: float, count) -> None:
    """One tab signing in over and over (runs in a process of its own: see ``_background``)."""
    client = SocketClient(url, origin=url, pathname="/sign-in")
    client.hydrate()
    client.emit(handler_name(AuthState, "set_email"), {"value": "hbernard@flexis.com"})
    while not stop.is_set():
        _round_trip(client, handler_name(AuthState, "sign_in"), {"form": {"password": DEMO_PASSWORD}})
        client.updates.clear()
        count.value += 1
        time.sleep(pause)
    client.close()


def _downloading(url: str, number: str, cookie: str, stop, pause: float, count) -> None:
    """One tab downloading the 200-line invoice over and over (in a process of its own)."""
    client = SocketClient(url, origin=url, cookie=cookie, pathname="/admin/invoices")
    client.hydrate()
    while not stop.is_set():
        before = len(client.updates)
        client.emit(handler_name(InvoicesState, "download_pdf"), {"number": number})
        client.wait_for(lambda update: any(e.get("name") == "_download" for e in update.get("events", [])),
                        after=before, timeout=60)
        client.updates.clear()
        count.value += 1
        time.sleep(pause)
    client.close()


def _background(target, *args) -> tuple[multiprocessing.Process, object]:
    """A slow client in a process of its own, so that reading its big answers never holds this
    process's interpreter lock while the cheap clients are being timed."""
    count = _MP.Value("i", 0)
    return _MP.Process(target=target, args=(*args, count), daemon=True), count


def _phase(app: ProductionApp, clients: int, seconds: float, background: list, stop, pause: float,
           counts: tuple = ()) -> list[float]:
    latencies: list[float] = []
    ready = threading.Barrier(clients + 1)
    threads = [threading.Thread(target=_cheap_loop, args=(app, stop, latencies, ready, pause))
               for _ in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    for worker in background:
        worker.start()
    deadline = time.monotonic() + 60
    while any(count.value == 0 for count in counts) and time.monotonic() < deadline:
        time.sleep(0.1)  # the slow clients' processes started and at work
    time.sleep(1.0)  # warm-up: every loop running
    latencies.clear()
    started = [count.value for count in counts]
    busy_before, total_before = _cpu_ticks()
    time.sleep(seconds)
    busy_after, total_after = _cpu_ticks()
    stop.set()
    _CPU.append(100 * (busy_after - busy_before) / max(total_after - total_before, 1))
    _DONE[:] = [count.value - before for count, before in zip(counts, started, strict=True)]
    for worker in threads + background:
        worker.join()
    return latencies


def _cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine so far (Linux)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)


def _figures(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.99) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--pause", type=float, default=0.05,
                        help="each client's pause between two events, in seconds (0: flat out)")
    parser.add_argument("--background", choices=("both", "sign-in", "pdf"), default="both",
                        help="which slow work runs beside the cheap events in the second phase")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the checkout to run (another commit's, to compare), this one by default")
    parser.add_argument("--background-pause", type=float, default=0.0,
                        help="the slow clients' pause between two sign-ins or downloads (0: back to back)")
    args = parser.parse_args()
    inbox = Inbox()
    inbox.start()
    app = ProductionApp(args.root, Path(tempfile.mkdtemp(prefix="lcadmin-bench-")), inbox)
    try:
        app.wait()
        number, cookie = _big_invoice(app), _cookie(app, "hbernard@flexis.com")
        quiet = _phase(app, args.clients, args.seconds, [], _MP.Event(), args.pause)
        stop = _MP.Event()
        signing, sign_ins = _background(_signing_in, app.url, stop, args.background_pause)
        loading, downloads = _background(_downloading, app.url, number, cookie, stop, args.background_pause)
        chosen = [(worker, count) for worker, count, wanted in ((signing, sign_ins, args.background != "pdf"),
                                                                 (loading, downloads, args.background != "sign-in"))
                  if wanted]
        busy = _phase(app, args.clients, args.seconds, [w for w, _ in chosen], stop, args.pause,
                      tuple(c for _, c in chosen))
    finally:
        app.stop()
        inbox.stop()
    (quiet_median, quiet_p99), (busy_median, busy_p99) = _figures(quiet), _figures(busy)
    print(f"{args.clients} clients, each pausing {args.pause * 1000:.0f} ms between events, {args.seconds:.0f} s a "
          "phase, production build, one worker")
    print(f"  cheap events alone:            {len(quiet):6d} events, median {quiet_median:6.1f} ms, "
          f"p99 {quiet_p99:6.1f} ms, machine {_CPU[0]:.0f} % busy")
    print(f"  with sign-ins and 200-line PDFs: {len(busy):6d} events, median {busy_median:6.1f} ms, "
          f"p99 {busy_p99:6.1f} ms, machine {_CPU[1]:.0f} % busy ({' and '.join(map(str, _DONE))} sign-ins / downloads while timed)")
    print(f"  p99 ratio: {busy_p99 / quiet_p99:.2f} (target: at most 1.5)")


if __name__ == "__main__":
    main()
