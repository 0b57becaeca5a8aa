""""Accueil" in the Admin Center: amounts due and overdue with "Payer", orders awaiting
signature, the next invoice due and the last payment."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import reflex as rx

from lcadmin.services import admin_center
from lcadmin.settings import get_settings
from lcadmin.states.base import loads_list
from lcadmin.states.service import run


class OverviewState(rx.State):
    """What the company's billing looks like today."""

    loaded: bool = False
    view: dict[str, Any] = {}
    to_sign: list[dict[str, str]] = []

    @rx.event
    @loads_list
    async def load(self):
        """/admin loaded (and after a payment, or in another language)."""
        settings = get_settings()
        done = await run(self, lambda session, ctx: admin_center.overview(
            session, ctx, zone=settings.vendor.timezone, online_payment=settings.online_payment), error=None)
        if not done.ok:
            self.view, self.to_sign = {}, []
            return done.event
        self.view = {key: value for key, value in asdict(done.value).items() if key != "to_sign"}
        self.to_sign = [asdict(row) for row in done.value.to_sign]
        return None
