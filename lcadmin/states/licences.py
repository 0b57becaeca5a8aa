"""The "Licences et autorisations" page: seats per product and contract, their holders (one page
of 25 at a time: the browser never holds the whole list), assigning by e-mail, and each holder's
actions; and the page behind the invitation's link.

Every handler resolves the company from the session cookie on that very call; a seat or a pool
is only ever named by what the page was given, and the service refuses any other company's."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import reflex as rx
from sqlmodel import Session

from lcadmin import paths
from lcadmin.domain.emails import split_addresses
from lcadmin.domain.permissions import Permission
from lcadmin.i18n import LOCALES, gettext
from lcadmin.services import licences
from lcadmin.services.context import RequestContext
from lcadmin.settings import get_settings
from lcadmin.states.base import (
    active_locale,
    clip,
    loads_list,
    one_of,
    page_param,
    show_link_state,
    shows_busy,
    typed_text,
)
from lcadmin.states.service import run

SORTS = ("email", "name", "assigned", "activity")


def first_free_pool(pools: list[dict[str, Any]]) -> str:
    """The pool a dialog opens on: the first with seats available, else the first ("" for none)."""
    free = [p for p in pools if p["available"] > 0] or pools
    return free[0]["key"] if free else ""


class LicencesState(rx.State):
    """The pools and one page of holders (who acts for the company is on "Administrateurs")."""

    pools: list[dict[str, Any]] = []
    holders: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    search: str = ""
    status: str = "all"
    sort: str = "email"
    descending: bool = False
    can_manage: bool = False
    can_buy: bool = False  # may order more seats (manages licences, or signs orders)
    company_locale: str = "fr"  # the invitations' language unless the assigner chooses another
    error: str = ""
    notice: str = ""
    loaded: bool = False  # the rows are there (skeleton rows until then)
    working: str = ""  # "<seat id>:<action>" while that action runs
    # The confirmation of "Retirer" and the dialog of "Réattribuer"
    confirming: str = ""  # the seat's id
    confirming_email: str = ""
    reassigning: str = ""
    reassigning_email: str = ""
    reassign_error: str = ""

    @rx.var
    def filtered(self) -> bool:
        """Whether a filter or the search narrows the list (the empty message differs)."""
        return self.status != "all" or self.search.strip() != ""

    async def _refresh(self, *, everything: bool = True):
        search, status, sort, descending, page = self.search, self.status, self.sort, self.descending, self.page
        settings = get_settings()

        def work(session: Session, ctx: RequestContext):
            holders = licences.list_holders(session, ctx, settings=settings, search=search, status=status, sort=sort,
                                            descending=descending, page=page)
            if not everything:
                return None, holders, None
            return (licences.pool_rows(session, ctx, settings=settings), holders,
                    (ctx.user.can(Permission.MANAGE_LICENCES), licences.may_buy(ctx),
                     licences.company_locale(session, ctx)))

        done = await run(self, work)
        if not done.ok:
            self.holders = []
            return done.event
        pools, page_of, can_manage = done.value
        if pools is not None:
            self.pools = [asdict(p) for p in pools]
            self.can_manage, self.can_buy, self.company_locale = can_manage or (False, False, "fr")
        self.holders = [asdict(row) for row in page_of.rows]
        self.total, self.page, self.pages = page_of.total, page_of.page, page_of.pages
        return None

    @rx.event
    @loads_list
    async def load(self):
        """/admin/licences loaded: filters reset."""
        self.error = self.notice = self.confirming = self.reassigning = ""
        self.search, self.status, self.sort, self.descending, self.page = "", "all", "email", False, 1
        return await self._refresh()

    @rx.event
    async def refresh(self):
        """The page again, filters kept (after a change, or in another language)."""
        self.error = ""
        return await self._refresh()

    @rx.event
    async def set_search(self, value: str):
        """Search by a piece of the name or the address."""
        if (text := await typed_text(self, value, 100, error="error")) is None:
            return None
        self.search, self.page = text, 1
        return await self._refresh(everything=False)

    @rx.event
    async def set_status(self, value: str):
        """Invited, active, never active, inactive for 30 days, or all."""
        self.status, self.page = one_of(value, licences.STATUS_FILTERS, "all"), 1
        return await self._refresh(everything=False)

    @rx.event
    async def set_sort(self, value: str):
        """Sort by address, name, date assigned or last activity (the latest first for dates)."""
        self.sort = one_of(value, SORTS, "email")
        self.descending, self.page = self.sort in ("assigned", "activity"), 1
        return await self._refresh(everything=False)

    @rx.event
    async def go_to(self, page: int):
        """Another page of holders."""
        self.page = page if isinstance(page, int) and not isinstance(page, bool) and 0 < page < 10**6 else 1
        return await self._refresh(everything=False)

    async def _act(self, work, notice_key: str):
        self.error = self.notice = ""
        settings = get_settings()
        done = await run(self, lambda session, ctx: work(session, ctx, settings), write=True,
                         permission=Permission.MANAGE_LICENCES)
        if not done.ok:
            return done.event
        self.notice = gettext(notice_key, await active_locale(self), email=done.value)
        return await self._refresh()

    @rx.event
    @shows_busy("working", lambda seat: f"{clip(seat, 20)}:resend")
    async def resend(self, seat: str):
        """"Renvoyer" an invitation (a new link; the old one stops working)."""
        seat_id = clip(seat, 20)
        return await self._act(lambda session, ctx, settings: licences.resend_invitation(
            session, ctx, seat_id=seat_id, settings=settings), "licences.resent")

    @rx.event
    @shows_busy("working", lambda seat: f"{clip(seat, 20)}:revoke")
    async def revoke(self, seat: str):
        """"Révoquer" an invitation: the seat returns to the pool."""
        seat_id = clip(seat, 20)
        return await self._act(lambda session, ctx, _settings: licences.revoke_invitation(
            session, ctx, seat_id=seat_id), "licences.revoked")

    @rx.event
    def ask_unassign(self, seat: str):
        """"Retirer": ask first."""
        row = next((r for r in self.holders if r["id"] == clip(seat, 20)), None)
        if row is not None and self.can_manage:
            self.confirming, self.confirming_email = row["id"], row["email"]

    @rx.event
    def close_confirm(self, _open: bool = False):
        """Close the confirmation."""
        self.confirming = ""

    @rx.event
    @shows_busy("working", "unassign")
    async def unassign(self):
        """The confirmation's "Retirer la licence": the seat is free at once, its holder told."""
        seat_id = self.confirming
        result = await self._act(lambda session, ctx, _settings: licences.unassign_seat(
            session, ctx, seat_id=seat_id), "licences.unassigned")
        self.confirming = ""
        return result

    @rx.event
    def ask_reassign(self, seat: str):
        """"Réattribuer": the dialog asking for the new address."""
        row = next((r for r in self.holders if r["id"] == clip(seat, 20)), None)
        if row is not None and self.can_manage:
            self.reassigning, self.reassigning_email, self.reassign_error = row["id"], row["email"], ""

    @rx.event
    def close_reassign(self, _open: bool = False):
        """Close the reassignment dialog."""
        self.reassigning = ""

    @rx.event
    @shows_busy("working", "reassign")
    async def reassign(self, form: dict):
        """The dialog's "Réattribuer": the seat goes to the new address in one step."""
        form = form if isinstance(form, dict) else {}
        seat_id, email = self.reassigning, clip(form.get("email"), 320)
        locale = await active_locale(self)
        self.error = self.notice = self.reassign_error = ""
        settings = get_settings()
        done = await run(self, lambda session, ctx: licences.reassign_seat(
            session, ctx, seat_id=seat_id, email=email, locale=locale, settings=settings), write=True,
            permission=Permission.MANAGE_LICENCES, fields={"email": "reassign_error"})
        if not done.ok:
            return done.event
        self.reassigning = ""
        self.notice = gettext("licences.reassigned", locale, email=done.value)
        return await self._refresh()


class AssignState(rx.State):
    """"Attribuer des licences": a pool, the addresses (each checked), the invitation's language."""

    opened: bool = False
    sending: bool = False
    pool: str = ""
    locale: str = "fr"
    checked: str = ""  # "3 adresses valides."
    refused: str = ""  # "Adresses refusées : …"
    emails_error: str = ""
    error: str = ""

    @rx.event
    async def open(self):
        """Show the dialog, on the first pool with seats available."""
        page = await self.get_state(LicencesState)
        if not page.can_manage:
            return
        self.pool = first_free_pool(page.pools)
        self.locale = page.company_locale
        self.checked = self.refused = self.emails_error = self.error = ""
        self.opened = True

    @rx.event
    def close(self, _open: bool = False):
        """Close the dialog."""
        self.opened = False

    @rx.event
    def set_pool(self, value: str):
        """Which licence (product and contract)."""
        self.pool = clip(value, 90)

    @rx.event
    def set_locale(self, value: str):
        """The invitation e-mail's language."""
        self.locale = one_of(value, LOCALES, "fr")

    @rx.event
    async def check(self, value: str):
        """The addresses field was left: each checked, the refused ones named under it."""
        valid, refused = split_addresses(clip(value, 40_000))
        locale = await active_locale(self)
        self.emails_error = ""
        self.checked = "" if not valid else gettext(
            "licences.emails_checked_one" if len(valid) == 1 else "licences.emails_checked_many", locale,
            count=str(len(valid)))
        self.refused = gettext("licences.emails_refused", locale, list=", ".join(refused[:10])) if refused else ""

    @rx.event
    @shows_busy("sending")
    async def submit(self, form: dict):
        """"Envoyer les invitations": all of them, or none."""
        form = form if isinstance(form, dict) else {}
        emails, pool, locale = clip(form.get("emails"), 40_000), self.pool, self.locale
        self.emails_error = self.error = ""
        settings = get_settings()
        done = await run(self, lambda session, ctx: licences.assign_seats(
            session, ctx, pool=pool, emails=emails, locale=locale, settings=settings), write=True,
            permission=Permission.MANAGE_LICENCES, fields={"emails": "emails_error"})
        if not done.ok:
            return done.event
        self.opened = False
        page = await self.get_state(LicencesState)
        shown = await active_locale(self)
        page.notice = gettext("licences.sent_one", shown, email=done.value[0]) if len(done.value) == 1 else gettext(
            "licences.sent_many", shown, count=str(len(done.value)))
        return LicencesState.refresh


class LicenceLinkState(rx.State):
    """``/licence/[secret]``: the invitation, and "Activer ma licence"."""

    state: str = "loading"  # loading, valid, used, expired, unknown, done
    company: str = ""
    product: str = ""
    email: str = ""
    problem: str = ""
    working: bool = False

    def _secret(self) -> str:
        return page_param(self, "secret", 100)

    @rx.var
    def back_here(self) -> str:
        """The sign-in and sign-up pages' ``?next=``: back to this link once signed in."""
        return paths.LICENCE_LINKS + self.router.page.params.get("secret", "")

    @rx.event
    async def open(self):
        """The link's page loaded: what it gives, without using it."""
        secret = self._secret()
        done = await run(self, lambda session, ctx: licences.inspect_invitation(session, ctx, secret=secret),
                         signed_in=False, error="problem")
        if not done.ok:
            return done.event
        view = done.value
        self.company, self.product, self.email = view.company, view.product, view.email
        await show_link_state(self, view.state)
        return None

    @rx.event
    @shows_busy("working")
    async def activate(self):
        """"Activer ma licence" (signed in: the account that activates it holds it)."""
        secret = self._secret()
        done = await run(self, lambda session, ctx: licences.activate_seat(session, ctx, secret=secret), write=True,
                         error="problem")
        if not done.ok:
            await show_link_state(self, self.state, done.error)
            return done.event
        self.state, self.company, self.product = "done", done.value.company, done.value.product
        return None


class BulkState(rx.State):
    """"Importer un fichier CSV": a preview of every line's verdict, then all of it or nothing;
    and the holders' export. The file's bytes stay on the server (a backend var) between the
    preview and "Appliquer"."""

    opened: bool = False
    working: bool = False
    pool: str = ""
    file_name: str = ""
    lines: list[dict[str, str]] = []  # the problems first, then the first lines that are ready
    ready: int = 0
    problems: int = 0
    csv_error: str = ""
    error: str = ""
    _data: bytes = b""

    @rx.event
    async def open(self):
        """Show the dialog, on the same licence as "Attribuer"."""
        page = await self.get_state(LicencesState)
        if not page.can_manage:
            return
        self.pool = first_free_pool(page.pools)
        self._forget()
        self.opened = True

    def _forget(self) -> None:
        self.file_name, self.lines, self.ready, self.problems, self._data = "", [], 0, 0, b""
        self.csv_error = self.error = ""

    @rx.event
    def close(self, _open: bool = False):
        """Close the dialog (the file is forgotten)."""
        self.opened = False
        self._forget()

    @rx.event
    async def set_pool(self, value: str):
        """The licence lines without a product code take; the preview is made again."""
        self.pool = clip(value, 90)
        return await self._preview()

    async def _preview(self):
        if not self._data:
            return None
        pool, data, settings = self.pool, self._data, get_settings()
        self.csv_error = ""
        done = await run(self, lambda session, ctx: licences.preview_csv(session, ctx, pool=pool, data=data,
                                                                          settings=settings),
                         permission=Permission.MANAGE_LICENCES, fields={"csv": "csv_error"})
        if not done.ok:
            self.lines, self.ready, self.problems = [], 0, 0
            return done.event
        locale = await active_locale(self)
        ordered = sorted(done.value.lines, key=lambda line: line.verdict == "ok")[:200]
        self.lines = [{"number": str(line.number), "email": line.email, "product": line.product,
                       "verdict": line.verdict, "label": gettext(f"licences.verdict.{line.verdict}", locale)}
                      for line in ordered]
        self.ready, self.problems = done.value.ready, done.value.problems
        return None

    @rx.event
    @shows_busy("working")
    async def upload(self, files: list[rx.UploadFile]):
        """A file was chosen or dropped: its preview."""
        self._forget()
        file = files[0] if isinstance(files, list) and files else None
        if file is None or not callable(getattr(file, "read", None)):
            return None
        self.file_name = clip(getattr(file, "name", "") or "", 120)
        data = await file.read(licences.MAX_CSV_BYTES + 1)
        self._data = data if isinstance(data, bytes) else b""
        return await self._preview()

    @rx.event
    @shows_busy("working")
    async def apply(self):
        """"Appliquer": every line, in one transaction, or none."""
        if not self._data:
            return None
        pool, data, settings = self.pool, self._data, get_settings()
        done = await run(self, lambda session, ctx: licences.apply_csv(session, ctx, pool=pool, data=data,
                                                                        settings=settings),
                         write=True, permission=Permission.MANAGE_LICENCES, fields={"csv": "csv_error"})
        if not done.ok:
            return done.event
        self.opened = False
        self._forget()
        page = await self.get_state(LicencesState)
        page.notice = gettext("licences.imported", await active_locale(self), count=str(done.value))
        return LicencesState.refresh

    @rx.event
    @shows_busy("working")
    async def export(self):
        """"Exporter (CSV)": the holders, invited and active."""
        settings = get_settings()
        done = await run(self, lambda session, ctx: licences.export_holders(session, ctx, settings=settings),
                         permission=Permission.MANAGE_LICENCES)
        if not done.ok:
            return done.event
        filename, data = done.value
        return rx.download(data=data, filename=filename, mime_type="text/csv")


class PurchaseState(rx.State):
    """"Acheter des licences supplémentaires": a licence, a number, its price as typed, then the
    order (signed on the order's page)."""

    opened: bool = False
    working: bool = False
    pool: str = ""
    quantity: str = "1"
    quote: dict[str, str] = {}
    quantity_error: str = ""
    error: str = ""

    @rx.event
    async def open(self):
        """Show the dialog on the first licence."""
        page = await self.get_state(LicencesState)
        if not page.pools:
            return None
        self.pool, self.quantity, self.quantity_error, self.error = page.pools[0]["key"], "1", "", ""
        self.opened = True
        return await self._quote()

    @rx.event
    def close(self, _open: bool = False):
        """Close the dialog."""
        self.opened = False

    async def _quote(self):
        pool, quantity, settings = self.pool, self.quantity, get_settings()
        self.quantity_error = self.error = ""
        done = await run(self, lambda session, ctx: licences.quote_seats(session, ctx, pool=pool, quantity=quantity,
                                                                          settings=settings),
                         fields={"quantity": "quantity_error", "pool": "error"})
        self.quote = asdict(done.value) if done.ok else {}
        return done.event

    @rx.event
    async def set_pool(self, value: str):
        """Which licence."""
        self.pool = clip(value, 90)
        return await self._quote()

    @rx.event
    async def set_quantity(self, value: str):
        """How many: the price follows as it is typed."""
        self.quantity = clip(value, 6)
        return await self._quote()

    @rx.event
    @shows_busy("working")
    async def submit(self, _form: dict | None = None):
        """"Préparer la commande": to its page to be signed (or the signers are asked)."""
        pool, quantity, settings = self.pool, self.quantity, get_settings()
        done = await run(self, lambda session, ctx: licences.order_seats(session, ctx, pool=pool, quantity=quantity,
                                                                          settings=settings),
                         write=True, fields={"quantity": "quantity_error", "pool": "error"})
        if not done.ok:
            return done.event
        number, may_sign = done.value
        self.opened = False
        if may_sign:
            return rx.redirect(paths.order(number))
        page = await self.get_state(LicencesState)
        page.notice = gettext("licences.prepared", await active_locale(self), number=number)
        return None
