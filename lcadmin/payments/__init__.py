"""Card payments: the provider interface (``provider.py``) and its sandbox (``sandbox.py``)."""

from __future__ import annotations

from lcadmin import paths
from lcadmin.payments.provider import PaymentProvider
from lcadmin.payments.sandbox import SandboxProvider
from lcadmin.settings import get_settings


def get_provider() -> PaymentProvider | None:
    """The provider ``LCADMIN_PAYMENT_PROVIDER`` chooses, or None when online payment is off.

    Only the sandbox exists so far (refused in prod by the settings): a real processor plugs in
    here behind the same interface."""
    if get_settings().payment_provider == "sandbox":
        return SandboxProvider(authentication_url=paths.authenticate(""))
    return None
