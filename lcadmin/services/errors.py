"""Typed errors of the services. Each carries a stable ``code``; states map codes to translated
messages and tests assert codes, never wording."""

from __future__ import annotations

from datetime import datetime


class ServiceError(Exception):
    """A use case refused the request; ``code`` says why."""

    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.field = field


class InvalidInput(ServiceError):
    """What was typed cannot be used; ``field`` names the input it concerns."""


class Throttled(ServiceError):
    """Too many attempts: refused until ``until``."""

    def __init__(self, until: datetime):
        super().__init__("throttled")
        self.until = until


class NotAllowed(ServiceError):
    """The caller is not signed in, or not allowed to do this."""


class LinkProblem(ServiceError):
    """A link's token is unknown, expired or already used (``code`` says which)."""


class NotFound(ServiceError):
    """No such document for this company (another company's documents are "not found" too)."""


class InvalidTransition(ServiceError):
    """A record was asked to move where its lifecycle does not allow (``invalid_transition``):
    a bug, or a race lost to another request."""

    def __init__(self, detail: str):
        super().__init__("invalid_transition")
        self.detail = detail
