"""The password rule: long enough, not absurdly long, not a well-known password. No composition
rules (they make passwords weaker and harder to remember)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

MIN_LENGTH = 12
MAX_LENGTH = 256


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships 30,000 passwords seen most often in breaches.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why ``password`` is refused (``too_short``, ``too_long``, ``common``, ``like_email``), or None."""
    normalised = unicodedata.normalize("NFKC", password or "")
    if len(normalised) < MIN_LENGTH:
        return "too_short"
    if len(normalised) > MAX_LENGTH:
        return "too_long"
    folded = normalised.casefold()
    if folded in _common_passwords() or folded.rstrip("0123456789!.?") in _common_passwords():
        return "common"
    if len(set(folded)) <= 2:
        return "common"
    local_part = email.partition("@")[0].casefold()
    if email and (folded == email.casefold() or (len(local_part) >= 4 and folded.startswith(local_part)
                                                  and len(folded) - len(local_part) < 6)):
        return "like_email"
    return None
