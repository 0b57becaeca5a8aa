"""``lcadmin serve``: one app instance in production mode, on one port.

It refuses to start on what would fail later, with a message naming the variable to fix: the
settings (``lcadmin.settings``: in ``prod`` a secret key, an https public URL, PostgreSQL, Redis
and no sandbox payments), a database it cannot reach or one behind the code's migrations, a Redis
it cannot reach. Then it builds the frontend unless the build on disk was made from this very
code and these settings (so a restart, or a second instance sharing the folder, does not build
again), and runs Reflex's production backend (granian) with ``LCADMIN_WORKERS`` worker
processes, serving the built pages, the event websocket and the app's routes on one port.

Two instances (two hosts, or two ports of one host) share the database and Redis; a reverse
proxy in front of them (``deploy/Caddyfile``) spreads the browsers over them.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from lcadmin.logs import log_to_stderr
from lcadmin.settings import Settings

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
# What the built frontend is made of: a change to any of them calls for a new build.
_SOURCES = ("lcadmin", "assets", "rxconfig.py", "reflex.lock", "pyproject.toml")
BUILD_STAMP = "lcadmin-build.json"
# Reflex variables that only say where or how to serve, not what the frontend is made of.
_RUNTIME_ONLY = {"REFLEX_DB_URL", "REFLEX_REDIS_URL", "REFLEX_TRUSTED_PROXY_HOPS", "REFLEX_WEB_WORKDIR",
                 "REFLEX_STATES_WORKDIR", "REFLEX_UPLOADED_FILES_DIR", "REFLEX_STATE_MANAGER_MODE",
                 "REFLEX_SKIP_COMPILE", "REFLEX_USE_GRANIAN", "REFLEX_ENV_MODE", "REFLEX_LOG_JSON",
                 "REFLEX_MOUNT_FRONTEND_COMPILED_APP", "REFLEX_SOCKET_MAX_HTTP_BUFFER_SIZE",
                 "REFLEX_FRONTEND_PORT", "REFLEX_BACKEND_PORT", "REFLEX_BACKEND_HOST"}
CONNECT_TIMEOUT_S = 5


class StartRefused(RuntimeError):
    """The instance must not start; the message says why and names what to fix."""


@dataclass(frozen=True)
class Check:
    """One start-up check: what was checked and, when it failed, why."""

    name: str
    ok: bool
    detail: str = ""


def check_database(settings: Settings) -> Check:
    """The database answers and is at the code's latest migration."""
    import sqlalchemy as sa
    from alembic.runtime.migration import MigrationContext

    from lcadmin.migrations import script_directory

    url = settings.db_url
    connect_args = {"connect_timeout": CONNECT_TIMEOUT_S} if url.startswith("postgresql") else {}
    engine = sa.create_engine(url, connect_args=connect_args, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as error:  # the driver's own error says why (refused, unknown host, auth)
        reason = str(error).strip().splitlines()[0][:300] if str(error).strip() else type(error).__name__
        return Check("database", False, f"REFLEX_DB_URL: the database cannot be reached ({reason})")
    finally:
        engine.dispose()
    heads = set(script_directory().get_heads())
    if current != heads:
        return Check("database", False, "REFLEX_DB_URL: the database is not at the code's migrations "
                     f"({', '.join(sorted(current)) or 'empty'} instead of {', '.join(sorted(heads))}): "
                     "run `reflex db migrate` first")
    return Check("database", True)


def check_redis(settings: Settings) -> Check:
    """Redis answers (when the tabs' state is kept there)."""
    if not settings.redis_url:
        return Check("redis", True, "not used: the tabs' state stays on this host's disk (one worker)")
    import redis

    client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=CONNECT_TIMEOUT_S,
                                  socket_timeout=CONNECT_TIMEOUT_S)
    try:
        client.ping()
    except redis.RedisError as error:
        return Check("redis", False, f"REFLEX_REDIS_URL: Redis cannot be reached ({str(error)[:300]})")
    finally:
        client.close()
    return Check("redis", True)


def preflight(settings: Settings) -> list[Check]:
    """Every start-up check, in order.

    Raises:
        StartRefused: A check failed; the message lists every failure.
    """
    checks = [check_database(settings), check_redis(settings)]
    failures = [check.detail for check in checks if not check.ok]
    if failures:
        raise StartRefused("; ".join(failures))
    return checks


def build_fingerprint(settings: Settings, root: Path = ROOT) -> str:
    """What the built frontend depends on: the sources and the settings compiled into it (the
    public URL its websocket dials, the language of its pages, the pages that exist)."""
    digest = hashlib.sha256()
    # Every installed distribution's version (Reflex's component packages are not pinned by it),
    # the settings the pages carry, and Reflex's own variables that change what it compiles.
    installed = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions() if d.metadata["Name"])
    reflex_env = sorted((name, value) for name, value in os.environ.items()
                        if name.startswith("REFLEX_") and name not in _RUNTIME_ONLY)
    digest.update(json.dumps({"installed": installed, "reflex_env": reflex_env,
                              "env": settings.env, "public_url": settings.public_url,
                              "locale": settings.default_locale, "payment": settings.payment_provider,
                              "idle_minutes": settings.session_idle_minutes}).encode())
    for name in _SOURCES:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts) \
            if path.is_dir() else [path]
        for file in files:
            if file.exists():
                digest.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def web_dir() -> Path:
    """The folder Reflex compiles and builds the frontend in (REFLEX_WEB_WORKDIR, else .web)."""
    return Path(os.environ.get("REFLEX_WEB_WORKDIR") or ROOT / ".web")


def build_is_current(settings: Settings) -> bool:
    """Whether the frontend on disk was built from this code and these settings."""
    from reflex_base import constants

    stamp = web_dir() / BUILD_STAMP
    if not (web_dir() / constants.Dirs.STATIC).is_dir():
        return False  # the stamp outlived its build
    try:
        return json.loads(stamp.read_text())["fingerprint"] == build_fingerprint(settings)
    except (OSError, ValueError, KeyError):
        return False


@contextmanager
def build_lock() -> Iterator[None]:
    """Hold the build folder while checking and building (instances of one host share it)."""
    folder = web_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lcadmin-build.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_frontend(settings: Settings) -> None:
    """Compile the pages and build the production bundle (``reflex export --frontend-only``),
    then record what it was built from.

    Raises:
        StartRefused: The build failed (its output is shown).
    """
    reflex = Path(sys.executable).parent / "reflex"
    done = subprocess.run([str(reflex), "export", "--frontend-only", "--no-zip", "--env", "prod"],
                          cwd=ROOT, env={**os.environ, "LCADMIN_ENV": settings.env}, capture_output=True, text=True)
    if done.returncode != 0:
        raise StartRefused(f"the frontend build failed:\n{(done.stdout + done.stderr)[-3000:]}")
    (web_dir() / BUILD_STAMP).write_text(json.dumps({"fingerprint": build_fingerprint(settings)}))


def metrics_dir(port: int) -> Path:
    """The folder where this instance's worker processes keep their metrics (prometheus-client's
    multiprocess mode), one per port of this host, emptied at each start: a restart counts from
    zero, and two instances of one host never mix their counts."""
    folder = Path(tempfile.gettempdir()) / f"lcadmin-metrics-{port}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def run_backend(settings: Settings, *, host: str, port: int) -> None:
    """Serve the built frontend, the websocket and the routes on ``host:port`` with granian and
    ``settings.workers`` processes (returns when the server stops)."""
    os.environ.update({
        "REFLEX_ENV_MODE": "prod", "REFLEX_SKIP_COMPILE": "true", "REFLEX_USE_GRANIAN": "true",
        "GRANIAN_WORKERS": str(settings.workers),
        "REFLEX_STATE_MANAGER_MODE": "redis" if settings.redis_url else "disk",
    })
    if settings.log_format == "json":  # granian's and Reflex's own lines in JSON too
        os.environ["REFLEX_LOG_JSON"] = "1"
    from reflex.config import get_config, reload_config
    from reflex.utils import exec as reflex_exec

    reload_config()
    config = get_config()
    config._set_persistent(frontend_port=port, backend_port=port, backend_host=host)
    reflex_exec.run_backend_prod(host, port, config.loglevel.subprocess_level(), mount_frontend_compiled_app=True)


def serve(settings: Settings, *, host: str, port: int, build: str = "auto") -> None:
    """Check, build when needed (``build``: auto, always or never), then serve.

    Raises:
        StartRefused: A check failed, or ``never`` was asked with no current build.
    """
    # Before anything imports prometheus_client: the workers share this folder's counters.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir(port))
    log_to_stderr(settings.log_format)
    if settings.is_dev:
        raise StartRefused("LCADMIN_ENV=dev is a developer's machine (its mailbox page shows every e-mail): "
                           "serve with LCADMIN_ENV=demo or prod, or use `reflex run`")
    for check in preflight(settings):
        log.info("%s: ok%s", check.name, f" ({check.detail})" if check.detail else "")
    with build_lock():  # an instance sharing the folder waits, then finds the build current
        current = build_is_current(settings)
        if build == "always" or (build == "auto" and not current):
            log.info("frontend: building")
            build_frontend(settings)
        elif not current:
            raise StartRefused("no frontend built from this code and these settings: run `lcadmin build` "
                               "(or `lcadmin serve` without --no-build)")
    log.info("frontend: ok; serving %s on %s:%d with %d worker%s", settings.public_url, host, port, settings.workers,
             "s" if settings.workers > 1 else "")
    run_backend(settings, host=host, port=port)
