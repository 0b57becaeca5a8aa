"""A deployment on this machine, as on several hosts: Caddy terminating HTTPS (its internal CA)
in front of two lcadmin instances (``lcadmin serve``, each with its own worker processes), sharing
one PostgreSQL database and one Redis database, mail to a real SMTP server.

Used by the deployment test and by the load test (``bench/load_test.py``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import sqlalchemy as sa

from lcadmin import migrations
from lcadmin.db import create_engine, session_scope
from lcadmin.demo import DEMO_PASSWORD, load_demo_data
from lcadmin.services.passwords import hash_password

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_SERVER = os.environ.get("LCADMIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_SERVER = os.environ.get("LCADMIN_TEST_REDIS_URL", "redis://127.0.0.1:6379")
REDIS_DB = 9  # the deployment's own Redis database, emptied before and after


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def missing_services() -> str | None:
    """Why the deployment cannot run here (no Caddy, PostgreSQL or Redis), or None."""
    if shutil.which("caddy") is None:
        return "no caddy on PATH (apt-get install caddy)"
    try:
        probe = sa.create_engine(POSTGRES_SERVER, connect_args={"connect_timeout": 3})
        with probe.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        probe.dispose()
    except Exception as error:
        return f"no PostgreSQL at {POSTGRES_SERVER} ({type(error).__name__})"
    import redis

    try:
        redis.Redis.from_url(REDIS_SERVER, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        return f"no Redis at {REDIS_SERVER} ({type(error).__name__})"
    return None


def wait_for_answer(url: str, process: subprocess.Popen, log: Path, timeout: float, context=None) -> None:
    """Until ``url`` answers 200 (the server ``process`` writes to ``log``, shown if it fails)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process stopped ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2, context=context) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


class Instance:
    """One ``lcadmin serve`` on a port of its own."""

    def __init__(self, name: str, port: int, env: dict[str, str], workdir: Path, *, build: bool) -> None:
        self.name, self.port = name, port
        self.log_path = workdir / f"{name}.log"
        self._log = self.log_path.open("w")
        command = [str(Path(sys.executable).parent / "lcadmin"), "serve", "--port", str(port)]
        self.process = subprocess.Popen(command + ([] if build else ["--no-build"]), cwd=ROOT, env=env,
                                        stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait(self, timeout: float = 300) -> None:
        wait_for_answer(f"http://127.0.0.1:{self.port}/ping", self.process, self.log_path, timeout)

    def signal_stop(self) -> None:
        """SIGTERM to the server's main process, as systemd stops the unit (``KillMode=mixed``)."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGTERM)

    def stop(self, timeout: float = 30) -> int:
        """Stop as systemd does, and wait; returns the exit code."""
        if self.process.poll() is None:
            self.signal_stop()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()
        return self.process.returncode

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")


class Deployment:
    """Caddy on ``https://127.0.0.1:<port>`` in front of instances ``a`` and ``b``.

    ``lb_policy``: Caddy's choice of instance; "first" sends every request to ``a`` while it is
    up, so that stopping it certainly cuts the browsers off it.
    """

    def __init__(self, workdir: Path, smtp_port: int, *, lb_policy: str = "round_robin", workers: int = 2) -> None:
        self.workdir = workdir
        self.https_port, self.http_port = free_port(), free_port()
        self.url = f"https://127.0.0.1:{self.https_port}"
        self.database = f"lcadmin_deploy_{uuid.uuid4().hex[:10]}"
        self.metrics_token = uuid.uuid4().hex + uuid.uuid4().hex
        server = sa.engine.make_url(POSTGRES_SERVER)
        self.db_url = server.set(database=self.database).render_as_string(hide_password=False)
        self.redis_url = f"{REDIS_SERVER}/{REDIS_DB}"
        self._admin = sa.create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
        with self._admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{self.database}"')
        self.engine = create_engine(self.db_url)
        migrations.upgrade(self.engine)
        with session_scope(self.engine) as session:
            load_demo_data(session, password_hash=hash_password(DEMO_PASSWORD))
        self._flush_redis()
        self.env = {**os.environ, "LCADMIN_ENV": "demo", "LCADMIN_PUBLIC_URL": self.url,
                    "LCADMIN_SECRET_KEY": "deployment-test-secret-key-0123456789abcdef",
                    "REFLEX_DB_URL": self.db_url, "REFLEX_REDIS_URL": self.redis_url,
                    "LCADMIN_WORKERS": str(workers), "REFLEX_TRUSTED_PROXY_HOPS": "1",
                    "LCADMIN_SMTP_HOST": "127.0.0.1", "LCADMIN_SMTP_PORT": str(smtp_port),
                    "LCADMIN_AUTOMATIC_COLLECTION": "false", "REFLEX_WEB_WORKDIR": str(workdir / ".web"),
                    "LCADMIN_METRICS_TOKEN": self.metrics_token,
                    "PYTHONUNBUFFERED": "1"}
        self.instances: dict[str, Instance] = {}
        self.caddy: subprocess.Popen | None = None
        self.lb_policy = lb_policy

    def _flush_redis(self) -> None:
        import redis

        redis.Redis.from_url(f"{REDIS_SERVER}/{REDIS_DB}").flushdb()

    def start(self) -> None:
        """The first instance builds the frontend; the second finds it built (same code, same
        settings) and starts at once; then Caddy."""
        ports = {"a": free_port(), "b": free_port()}
        self.instances["a"] = Instance("a", ports["a"], self.env, self.workdir, build=True)
        self.instances["a"].wait()
        self.instances["b"] = Instance("b", ports["b"], self.env, self.workdir, build=False)
        self.instances["b"].wait()
        caddy_env = {**os.environ, "LCADMIN_SITE": f"127.0.0.1:{self.https_port}", "LCADMIN_TLS": "internal",
                     "LCADMIN_UPSTREAMS": " ".join(f"127.0.0.1:{port}" for port in ports.values()),
                     "LCADMIN_HTTP_PORT": str(self.http_port), "LCADMIN_HTTPS_PORT": str(self.https_port),
                     "LCADMIN_CADDY_ADMIN": "off", "LCADMIN_LB_POLICY": self.lb_policy,
                     "XDG_DATA_HOME": str(self.workdir / "caddy-data"),
                     "XDG_CONFIG_HOME": str(self.workdir / "caddy-config")}
        self.caddy_log = self.workdir / "caddy.log"
        self.caddy = subprocess.Popen(["caddy", "run", "--config", str(ROOT / "deploy" / "Caddyfile"),
                                       "--adapter", "caddyfile"], env=caddy_env, stdout=self.caddy_log.open("w"),
                                      stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while not self.root_certificate.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        wait_for_answer(f"{self.url}/ping", self.caddy, self.caddy_log, 30, context=self.tls_context())

    @property
    def root_certificate(self) -> Path:
        """The root of Caddy's internal CA, which signed the site's certificate."""
        return self.workdir / "caddy-data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"

    def tls_context(self) -> ssl.SSLContext:
        """A client context that trusts Caddy's internal CA and nothing else."""
        return ssl.create_default_context(cafile=str(self.root_certificate))

    def stop(self) -> None:
        for instance in self.instances.values():
            instance.stop()
        if self.caddy is not None and self.caddy.poll() is None:
            os.killpg(self.caddy.pid, signal.SIGTERM)
            self.caddy.wait(timeout=20)
        self.engine.dispose()
        with self._admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        self._admin.dispose()
        self._flush_redis()
