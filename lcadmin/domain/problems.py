"""The one shape of what the pure rules refuse: a ``ValueError`` carrying a stable ``code``,
which services turn into a typed error for a field and states into a translated message."""

from __future__ import annotations


class Problem(ValueError):
    """A value the rules cannot use; ``code`` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code
