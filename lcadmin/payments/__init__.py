"""Card payments: the provider interface (``provider.py``) and its sandbox (``sandbox.py``)."""

from __future__ import annotations

from lcadmin.payments.provider import PaymentProvider
from lcadmin.payments.sandbox import SandboxProvider

AUTHENTICATION_ROUTE = "/payments/authenticate"


def get_provider() -> PaymentProvider:
    """The configured provider. Only the sandbox exists so far: a real processor plugs in here
    behind the same interface."""
    return SandboxProvider(authentication_url=AUTHENTICATION_ROUTE)
