"""Password hashing: argon2id through the passlib API (libpass), on NFKC-normalised text.

passlib does not normalise Unicode, so the same password typed with a composed or a decomposed
"é" would otherwise hash differently.

A hash is 0.1 s of CPU and 64 MiB by design. It runs in two threads of their own at a lower
priority (:mod:`lcadmin.cpu`; argon2 releases the GIL): a burst of sign-ins queues there instead
of taking every core and the memory of as many hashes.
"""

from __future__ import annotations

import unicodedata
from concurrent.futures import ThreadPoolExecutor

from passlib.context import CryptContext

from lcadmin.cpu import lower_priority

# argon2-cffi's defaults (argon2id, 64 MiB, 3 passes): about 0.1 s per hash on these machines.
_context = CryptContext(schemes=["argon2"], deprecated="auto")


_hashers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="argon2", initializer=lower_priority)


def _normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``."""
    return _hashers.submit(_context.hash, _normalise(password)).result()


def verify_password(password: str, password_hash: str) -> bool:
    """Whether ``password`` matches ``password_hash``; a malformed hash never matches."""
    return check_password(password, password_hash)[0]


def check_password(password: str, password_hash: str) -> tuple[bool, str | None]:
    """Whether ``password`` matches, and its new hash when ``password_hash`` was made with other
    parameters than today's (to store in its place); a malformed hash never matches."""
    try:
        return _hashers.submit(_context.verify_and_update, _normalise(password), password_hash).result()
    except (ValueError, TypeError):
        return False, None


def use_context(context: CryptContext) -> None:
    """Swap the hashing parameters (the tests use a cheap argon2id to stay fast)."""
    global _context
    _context = context
