"""What people type, read once for every use case that needs it."""

from __future__ import annotations

from lcadmin.domain.emails import EmailProblem, normalize_email
from lcadmin.services.errors import InvalidInput


def email_input(text: object, field: str = "email") -> str:
    """A typed e-mail address in its one normal form.

    Raises:
        InvalidInput: ``email_empty`` or ``email_invalid``, for ``field``.
    """
    try:
        return normalize_email(text if isinstance(text, str) else "")
    except EmailProblem as problem:
        raise InvalidInput(f"email_{problem.code}", field) from problem
