"""The password rule: long enough, not absurdly long, not a well-known or easily guessed password.
No composition rules (they make passwords weaker and harder to remember)."""

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


# A password must take at least 10^8 guesses by zxcvbn's estimate, which knows keyboard rows
# (azertyuiop, qwerty), sequences (123456789, abcdef), repeats, dates and dictionary words with
# their usual substitutions. That is a check against guessable passwords, not a composition rule:
# "un long chemin vers la facture" passes, "azertyuiopqs" and "1234567890ab" do not.
MIN_GUESSES_LOG10 = 8
_ESTIMATED_LENGTH = 72  # zxcvbn's own limit; a longer password is not short of guesses


def _guesses_log10(password: str, email: str) -> float:
    from zxcvbn import zxcvbn

    hints = [part for part in (email, email.partition("@")[0]) if part]
    return zxcvbn(password[:_ESTIMATED_LENGTH], user_inputs=hints)["guesses_log10"]


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
    if len(set(folded)) <= 2 or _guesses_log10(normalised, email) < MIN_GUESSES_LOG10:
        return "common"
    local_part = email.partition("@")[0].casefold()
    if email and (folded == email.casefold() or (len(local_part) >= 4 and folded.startswith(local_part)
                                                  and len(folded) - len(local_part) < 6)):
        return "like_email"
    return None
