"""Small helpers shared by tests."""

from __future__ import annotations

import threading
from collections.abc import Callable

# What prod requires beside its own settings (lcadmin.settings): the shared database and Redis.
PROD_SERVICES = {"REFLEX_DB_URL": "postgresql+psycopg://127.0.0.1:5432/test", "REFLEX_REDIS_URL": "redis://127.0.0.1:6379/0"}


def race(attempts: int, attempt: Callable[[], str]) -> list[str]:
    """Run ``attempt`` in ``attempts`` threads released at the same instant; their results, sorted."""
    results: list[str] = []
    barrier = threading.Barrier(attempts)

    def run() -> None:
        barrier.wait()
        results.append(attempt())

    threads = [threading.Thread(target=run) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(results)
