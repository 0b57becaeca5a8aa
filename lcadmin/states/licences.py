"""The "Licences et autorisations" page: who has access to the company, with which role."""

from __future__ import annotations

from dataclasses import asdict

import reflex as rx

from lcadmin.domain.permissions import Permission
from lcadmin.services import admin_center
from lcadmin.states.base import loads_list
from lcadmin.states.service import run


class LicencesState(rx.State):
    """The company's members."""

    members: list[dict[str, str]] = []
    error: str = ""
    loaded: bool = False  # the rows are there (skeleton rows until then)

    @rx.event
    @loads_list
    async def load(self):
        """/admin/licences loaded."""
        self.error = ""
        done = await run(self, admin_center.list_members, permission=Permission.VIEW_BILLING)
        if not done.ok:
            self.members = []
            return done.event
        self.members = [asdict(row) for row in done.value]
        return None
