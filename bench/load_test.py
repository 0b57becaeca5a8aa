"""Load test of the deployment (bounded, loopback only): Caddy over HTTPS in front of two lcadmin
instances sharing PostgreSQL and Redis (``tests/e2e/cluster.py``), with e-mail to a real SMTP
server on 127.0.0.1.

N clients (default 200), each a billing admin of its own, speak Socket.IO through Caddy as the
browser does, for a fixed time (default 60 s), each looping over a mix of what people do: open the
invoices page and filter it (60 %), download an invoice's PDF (20 %), pay an open invoice by card
(10 %), sign out and in again (10 %, a real sign-in: argon2, the HTTP hand-off, a new cookie). At
most 8 sign-ins run at once: the sign-in throttle counts attempts under way per IP, and every
client here comes from 127.0.0.1.

It prints each action's count, median and p99, the errors, then checks that nothing was lost: every
payment a client saw succeed is recorded once (one succeeded payment per invoice, no other), every
e-mail queued left once and arrived once (the receipts included), and the instances' memory after
the run (and a pause) is within 10 % of before.

    .venv/bin/python bench/load_test.py [--clients 200] [--seconds 60] [--workers 1]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psutil  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from lcadmin.db import session_scope  # noqa: E402
from lcadmin.demo import DEMO_PASSWORD  # noqa: E402
from lcadmin.domain.permissions import Role  # noqa: E402
from lcadmin.models import Company, Invoice, Membership, OutboxMessage, Payment, UserAccount, utcnow  # noqa: E402
from lcadmin.services import sessions  # noqa: E402
from lcadmin.services.context import system  # noqa: E402
from lcadmin.services.invoicing import LineInput, issue_invoice  # noqa: E402
from lcadmin.services.passwords import hash_password  # noqa: E402
from lcadmin.settings import load_settings  # noqa: E402
from lcadmin.states.auth import AuthState  # noqa: E402
from lcadmin.states.invoices import InvoicesState  # noqa: E402
from lcadmin.states.payment import PaymentState  # noqa: E402
from tests.e2e.cluster import Deployment, missing_services  # noqa: E402
from tests.e2e.conftest import Inbox  # noqa: E402
from tests.sio import SocketClient, handler_name  # noqa: E402

CARD = {"card_number": "4242 4242 4242 4242", "card_expiry": "12/30", "card_cvc": "123"}
MIX = [("list", 60), ("download", 20), ("pay", 10), ("sign_in", 10)]
SIGN_INS_AT_ONCE = 8


def prepare(deployment: Deployment, clients: int, invoices: int) -> tuple[list[str], list[str]]:
    """One billing admin of Flexis per client, and open invoices enough for every payment."""
    password_hash = hash_password(DEMO_PASSWORD)
    vendor = load_settings({"LCADMIN_ENV": "demo"}).vendor
    with session_scope(deployment.engine) as session:
        flexis = session.exec(select(Company).where(Company.name == "Flexis")).one()
        emails = []
        for n in range(clients):
            user = UserAccount(email=f"load{n:03d}@flexis.com", full_name=f"Charge {n:03d}", password_hash=password_hash)
            session.add(user)
            session.flush()
            session.add(Membership(user_id=user.id, company_id=flexis.id, role=Role.BILLING_ADMIN.value))
            emails.append(user.email)
        numbers = [issue_invoice(session, system(utcnow()), company_id=flexis.id, issue_date=date.today(),
                                 lines=[LineInput("Licence", 1, 90_00 + n, 2000, "Licence")], payment_terms_days=30,
                                 period=None, vendor=vendor).number for n in range(invoices)]
    return emails, numbers


class Phases:
    """Every client warms up (each action at least once: the PDF renderers start, the caches
    fill), then all pause while the instances' memory is read at rest, then the measured run."""

    def __init__(self, clients: int, seconds: float) -> None:
        self.paused = threading.Semaphore(0)
        self.go = threading.Event()
        self.clients, self.seconds = clients, seconds
        self.deadline = 0.0

    def wait_for_the_run(self) -> None:
        self.paused.release()
        self.go.wait()

    def start_the_run(self) -> None:
        self.deadline = time.monotonic() + self.seconds
        self.go.set()


class Client(threading.Thread):
    def __init__(self, deployment: Deployment, email: str, payable: list[str], lock: threading.Lock,
                 sign_ins: threading.Semaphore, phases: Phases, seed: int) -> None:
        super().__init__(daemon=True)
        self.deployment, self.email, self.payable, self.lock = deployment, email, payable, lock
        self.sign_ins, self.phases, self.random = sign_ins, phases, random.Random(seed)
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.paid: list[str] = []
        self.cookie = ""
        self.socket: SocketClient | None = None

    def _connect(self, pathname: str) -> SocketClient:
        if self.socket is not None:
            self.socket.close()
        url = self.deployment.url
        self.socket = SocketClient(url, origin=url, cookie=self.cookie, pathname=pathname,
                                   ssl_context=self.deployment.tls_context())
        self.socket.hydrate()
        return self.socket

    def sign_in(self) -> None:
        with self.sign_ins:
            client = self._connect("/sign-in")
            client.emit(handler_name(AuthState, "set_email"), {"value": self.email})
            before = len(client.updates)
            client.emit(handler_name(AuthState, "sign_in"), {"form": {"password": DEMO_PASSWORD}})
            update = client.wait_for(lambda u: "/auth/session" in str(u.get("events", [])), after=before, timeout=60)
            script = next(e["payload"]["javascript_code"] for e in update["events"] if e["name"] == "_call_script")
            code = parse_qs(urlsplit(re.search(r'"([^"]+/auth/session[^"]+)"', script).group(1)).query)["code"][0]
            binding = client.value(AuthState, "handoff_binding", where=bool)
            response = httpx.get(f"{self.deployment.url}/auth/session", params={"code": code},
                                 cookies={sessions.HANDOFF_BINDING_COOKIE: binding}, follow_redirects=False,
                                 verify=self.deployment.tls_context(), timeout=30)
            if response.status_code != 303 or sessions.SESSION_COOKIE not in response.cookies:
                raise RuntimeError(f"hand-off refused: {response.status_code}")
            self.cookie = f"{sessions.SESSION_COOKIE}={response.cookies[sessions.SESSION_COOKIE]}"
        self._connect("/admin/invoices")

    def list_invoices(self) -> None:
        client = self.socket
        before = len(client.updates)
        status = self.random.choice(["open", "paid", "all"])
        client.emit(handler_name(InvoicesState, "set_status"), {"value": status})
        client.value(InvoicesState, "rows", after=before, timeout=30)

    def download(self) -> None:
        client = self.socket
        before = len(client.updates)
        client.emit(handler_name(InvoicesState, "download_pdf"), {"number": "F2026-00001"})
        client.wait_for(lambda u: any(e["name"] == "_download" for e in u.get("events", [])), after=before, timeout=30)

    def pay(self) -> None:
        with self.lock:
            if not self.payable:
                return
            number = self.payable.pop()
        client = self.socket
        before = len(client.updates)
        client.emit(handler_name(PaymentState, "open_for"), {"kind": "invoice", "number": number})
        client.value(PaymentState, "opened", where=bool, after=before, timeout=30)
        before = len(client.updates)
        client.emit(handler_name(PaymentState, "submit"), {"form": CARD})
        told = client.value(PaymentState, "succeeded", where=bool, after=before, timeout=60)
        if number not in told:
            raise RuntimeError(f"payment of {number}: {told!r}")
        self.paid.append(number)

    def run(self) -> None:
        actions = {"list": self.list_invoices, "download": self.download, "pay": self.pay, "sign_in": self.sign_in}
        names, weights = zip(*MIX, strict=True)
        try:
            self.sign_in()
            self.list_invoices()
            self.download()
        except Exception as error:
            self.errors.append(f"warm-up: {error!r}")
            self.phases.wait_for_the_run()
            return
        self.phases.wait_for_the_run()
        while time.monotonic() < self.phases.deadline:
            name = self.random.choices(names, weights)[0]
            started = time.perf_counter()
            try:
                actions[name]()
            except Exception as error:
                self.errors.append(f"{name}: {error!r}")
                try:
                    self._connect("/admin/invoices")
                except Exception as again:
                    self.errors.append(f"reconnect: {again!r}")
                    return
                continue
            self.timings[name].append((time.perf_counter() - started) * 1000)
        if self.socket is not None:
            self.socket.close()


def memory_mb(deployment: Deployment) -> float:
    """The resident memory of every instance's process tree (the server and its workers)."""
    total = 0
    for instance in deployment.instances.values():
        root = psutil.Process(instance.process.pid)
        for process in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += process.memory_info().rss
    return total / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=1, help="worker processes per instance")
    args = parser.parse_args()
    if problem := missing_services():
        print(f"cannot run: {problem}")
        return 2
    inbox = Inbox()
    inbox.start()
    workdir = Path(tempfile.mkdtemp(prefix="lcadmin-load-"))
    deployment = Deployment(workdir, inbox.port, workers=args.workers)
    try:
        emails, payable = prepare(deployment, args.clients, invoices=args.clients * 4)
        print(f"starting: Caddy + 2 instances x {args.workers} worker(s), {args.clients} clients, {args.seconds:.0f} s")
        deployment.start()
        lock, sign_ins = threading.Lock(), threading.Semaphore(SIGN_INS_AT_ONCE)
        phases = Phases(args.clients, args.seconds)
        clients = [Client(deployment, email, payable, lock, sign_ins, phases, seed=n) for n, email in enumerate(emails)]
        for client in clients:
            client.start()
        for _ in clients:  # every client signed in, listed and downloaded once
            phases.paused.acquire()
        time.sleep(5)
        before_mb = memory_mb(deployment)
        started = time.monotonic()
        phases.start_the_run()
        for client in clients:
            client.join(timeout=args.seconds + 180)
        elapsed = time.monotonic() - started
        timings = defaultdict(list)
        for client in clients:
            for name, values in client.timings.items():
                timings[name].extend(values)
        errors = [error for client in clients for error in client.errors]
        paid = [number for client in clients for number in client.paid]
        total = sum(len(values) for values in timings.values())
        print(f"\n{total} actions in {elapsed:.0f} s ({total / elapsed:.0f}/s), errors: {len(errors)}")
        for name, _ in MIX:
            values = sorted(timings[name])
            if values:
                p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
                print(f"  {name:9} {len(values):6d}  median {statistics.median(values):7.1f} ms  p99 {p99:7.1f} ms")
        for error in errors[:10]:
            print("  error:", error[:200])

        # Nothing lost: the outbox empties, each message once.
        drain_until = time.monotonic() + 120
        with Session(deployment.engine) as session:
            while time.monotonic() < drain_until:
                pending = session.exec(select(OutboxMessage).where(OutboxMessage.status == "pending")).all()
                if not pending:
                    break
                time.sleep(1)
                session.expire_all()
            outbox = session.exec(select(OutboxMessage)).all()
            payments = session.exec(select(Payment).where(Payment.status == "succeeded")).all()
            paid_numbers = sorted(session.exec(select(Invoice.number).where(
                Invoice.id.in_([p.invoice_id for p in payments]))).all())  # type: ignore[union-attr]
        time.sleep(3)
        arrived = defaultdict(int)
        for message in inbox.messages:
            arrived[(message["To"], message["Subject"])] += 1
        queued = defaultdict(int)
        for message in outbox:
            queued[(message.to_address, message.subject)] += 1
        checks = {
            "every payment seen by a client recorded once, and no other": sorted(paid) == paid_numbers,
            "one succeeded payment per invoice": len(payments) == len({p.invoice_id for p in payments}),
            "every e-mail queued left once": all(m.status == "sent" and m.attempts == 1 for m in outbox),
            "every e-mail arrived once": dict(arrived) == dict(queued),
            "every payer received the receipt once": all(
                arrived[(client.email, f"Reçu de paiement — facture {number}")] == 1
                for client in clients for number in client.paid),
        }
        time.sleep(10)
        after_mb = memory_mb(deployment)
        checks["memory after the run within 10 % of before"] = after_mb <= before_mb * 1.10
        print(f"\npayments {len(paid)}, e-mails {len(outbox)}, memory {before_mb:.0f} MB before, {after_mb:.0f} MB after "
              f"({(after_mb / before_mb - 1) * 100:+.1f} %)")
        for name, ok in checks.items():
            print(f"  {'ok ' if ok else 'FAIL'} {name}")
        return 0 if all(checks.values()) and not errors else 1
    finally:
        deployment.stop()
        inbox.stop()


if __name__ == "__main__":
    sys.exit(main())
