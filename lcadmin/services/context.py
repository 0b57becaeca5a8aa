"""Who asks, from where, in which language, and when: what every use case is called with.

A state builds one :class:`RequestContext` per call (``lcadmin.states.base.run``), with the
principal resolved from the session cookie on that very call; the CLI, background jobs and tests
build their own with :func:`system`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from lcadmin.models import utcnow
from lcadmin.services.errors import NotAllowed
from lcadmin.services.sessions import Principal


@dataclass(frozen=True)
class RequestContext:
    """One call of a use case."""

    now: datetime
    ip: str | None = None
    user_agent: str | None = None
    locale: str = "fr"
    principal: Principal | None = None

    @property
    def user(self) -> Principal:
        """The signed-in caller.

        Raises:
            NotAllowed: ``signed_out`` for a call without a session.
        """
        if self.principal is None:
            raise NotAllowed("signed_out")
        return self.principal

    @property
    def actor_id(self) -> int | None:
        """The signed-in caller's user id, or None (a visitor, a background job)."""
        return self.principal.user_id if self.principal else None

    def signed_in(self, principal: Principal | None) -> RequestContext:
        """The same call, for ``principal``."""
        return replace(self, principal=principal)


def system(now: datetime | None = None, locale: str = "fr") -> RequestContext:
    """A call made by the app itself (a background job, the CLI): no caller, no IP."""
    return RequestContext(now=now or utcnow(), locale=locale)
