"""Text as it arrives from a browser: what a field may hold, and people's names.

Every text a client sends passes through :func:`field_text` once. It refuses what no keyboard
types and what breaks the layers below: lone UTF-16 surrogates (which cannot be encoded back
to the browser, and dropped its websocket), NUL (which PostgreSQL refuses in text) and the
other control characters. A name is also stripped of invisible format characters (zero-width
spaces, bidirectional overrides) and must contain letters, so that nobody signs as "   " or
displays as someone else.
"""

from __future__ import annotations

import unicodedata

from lcadmin.domain.problems import Problem

# Tab, line feed and carriage return are allowed where a field spans several lines.
_MULTILINE_CONTROLS = frozenset("\t\n\r")


class TextProblem(Problem):
    """The text cannot be used (``code``: ``not_text``, ``invalid_characters``,
    ``name_required``, ``name_too_long``)."""


def _forbidden(char: str, multiline: bool) -> bool:
    category = unicodedata.category(char)
    if category == "Cs":  # a lone surrogate: never a character of its own
        return True
    if category == "Cc":
        return not (multiline and char in _MULTILINE_CONTROLS)
    return category == "Cn" and (ord(char) & 0xFFFE) == 0xFFFE  # U+FFFE, U+FFFF and their kin


def field_text(value: object, limit: int, *, multiline: bool = False) -> str:
    """What a client sent for a text field, at most ``limit`` characters long.

    Raises:
        TextProblem: ``not_text`` (a number, a list, nothing) or ``invalid_characters`` (a
            control character, NUL or a lone surrogate anywhere in it).
    """
    if not isinstance(value, str):
        raise TextProblem("not_text")
    text = value[:limit]
    if any(_forbidden(char, multiline) for char in text):
        raise TextProblem("invalid_characters")
    return text


def is_clean(value: object) -> bool:
    """Whether ``value`` (text, or lists and dicts of it) holds nothing :func:`field_text` refuses."""
    if isinstance(value, str):
        return not any(_forbidden(char, multiline=True) for char in value)
    if isinstance(value, dict):
        return all(is_clean(key) and is_clean(item) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return all(is_clean(item) for item in value)
    return True


def person_name(text: str, *, longest: int = 200) -> str:
    """A person's name as it is kept and shown: NFKC-normalised, without format characters
    (zero-width spaces, bidirectional overrides and embeddings), blanks collapsed.

    Raises:
        TextProblem: ``name_required`` when fewer than two letters remain, ``name_too_long``.
    """
    folded = unicodedata.normalize("NFKC", text or "")
    visible = "".join(char for char in folded if unicodedata.category(char) != "Cf")
    name = " ".join(visible.split())
    if sum(1 for char in name if unicodedata.category(char).startswith("L")) < 2:
        raise TextProblem("name_required")
    if len(name) > longest:
        raise TextProblem("name_too_long")
    return name
