"""Slow steps run at a lower priority than the requests."""

from __future__ import annotations

import os
import threading

from lcadmin.cpu import NICENESS, lower_priority


def test_slow_work_lowers_the_priority_of_its_own_thread_only():
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: list[int] = []

    def slow_step() -> None:
        lower_priority()
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    thread = threading.Thread(target=slow_step)
    thread.start()
    thread.join()
    assert seen == [min(19, before + NICENESS)]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before
