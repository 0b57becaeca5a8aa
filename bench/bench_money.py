"""How fast amounts are read and written: the proof form parses an amount on every keystroke and
lists format hundreds of amounts per page. Prints median times; run with `make bench`."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lcadmin.domain.money import Money, parse_amount
from lcadmin.i18n.format import format_money

SAMPLES = ["3 600", "3\u202f600,00\u00a0€", "€3,600.00", "1 234 567,89", "0,5"]
ROUNDS, CALLS = 7, 2_000


def _median_us(work) -> float:
    runs = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(CALLS):
            work()
        runs.append((time.perf_counter() - start) / CALLS * 1e6)
    return statistics.median(runs)


def main() -> None:
    money = Money(360_000, "EUR")
    print(f"parse_amount ({len(SAMPLES)} writings): "
          f"{_median_us(lambda: [parse_amount(s) for s in SAMPLES]) / len(SAMPLES):.1f} µs per amount (median)")
    for locale in ("fr", "en"):
        print(f"format_money {locale}: {_median_us(lambda locale=locale: format_money(money, locale)):.1f} µs per amount (median)")


if __name__ == "__main__":
    main()
