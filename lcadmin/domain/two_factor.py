"""The codes of two-step verification as people type them: a 6-digit code from an authenticator
app (TOTP, RFC 6238), or one of the account's single-use recovery codes.

A recovery code is 16 characters of Crockford's base32 (80 random bits), shown in four groups
(``7K2M-QX9D-4HTR-W1ZP``). Reading one forgives what people do when they copy a code by hand:
spaces, dashes, lower case, and the letters O, I and L typed for the digits 0 and 1.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from lcadmin.domain.problems import Problem

TOTP_DIGITS = 6
RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
RECOVERY_LENGTH = 16
RECOVERY_CODE_COUNT = 10
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -\u00a0\u202f\t")


class CodeProblem(Problem):
    """What was typed is no code at all (``code``: ``code_empty``, ``code_malformed``)."""


@dataclass(frozen=True)
class TypedCode:
    """A code as read: ``kind`` is ``totp`` (``value``: six ASCII digits) or ``recovery``
    (``value``: sixteen characters of :data:`RECOVERY_ALPHABET`, without separators)."""

    kind: str
    value: str


def read_code(text: object) -> TypedCode:
    """What someone typed into a code field.

    Raises:
        CodeProblem: ``code_empty`` (nothing but spaces), ``code_malformed`` (neither six digits
            nor a recovery code's sixteen characters).
    """
    raw = text.translate(_SEPARATORS) if isinstance(text, str) else ""
    if not raw:
        raise CodeProblem("code_empty")
    if len(raw) == TOTP_DIGITS and raw.isascii() and raw.isdigit():
        return TypedCode("totp", raw)
    value = raw.upper().translate(_LOOK_ALIKES)
    if len(value) == RECOVERY_LENGTH and all(char in RECOVERY_ALPHABET for char in value):
        return TypedCode("recovery", value)
    raise CodeProblem("code_malformed")


def read_totp(text: object) -> str:
    """Six digits from an authenticator app (a recovery code is refused here: enrolment is
    confirmed with the app itself).

    Raises:
        CodeProblem: ``code_empty`` or ``code_malformed``.
    """
    code = read_code(text)
    if code.kind != "totp":
        raise CodeProblem("code_malformed")
    return code.value


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """``count`` fresh recovery codes, without separators (see :func:`grouped`)."""
    return ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH)) for _ in range(count)]


def grouped(value: str, size: int = 4) -> str:
    """A code or key in groups that are easy to read and copy: ``7K2M-QX9D-4HTR-W1ZP``."""
    return "-".join(value[i:i + size] for i in range(0, len(value), size))


def spaced_key(secret: str) -> str:
    """A TOTP secret (base32) as typed into an app by hand: groups of four, separated by spaces."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
