"""The "Administrateurs" page's handlers, called as the browser calls them: the list, inviting,
changing an access and removing; another company's rows and odd arguments change nothing; the
header's company switcher."""

from __future__ import annotations

from sqlmodel import select

from lcadmin.db import read_scope
from lcadmin.models import AdminInvitation, Membership, OutboxMessage, UserAccount
from lcadmin.states.admins import AccessFormState, AdminsState
from lcadmin.states.shell import ShellState
from tests.states.test_flow_states import _signed_in_cookie

ACCOUNTANT = "claire.garnier@cabinet-garnier.fr"


def _snapshot():
    with read_scope() as session:
        return (sorted((m.id, m.role, m.all_contracts, m.access_until) for m in session.exec(select(Membership))),
                len(session.exec(select(AdminInvitation)).all()), len(session.exec(select(OutboxMessage)).all()))


def _key(email: str, company: str = "Flexis") -> str:
    from lcadmin.models import Company

    with read_scope() as session:
        return "m" + str(session.exec(select(Membership.id).join(UserAccount, UserAccount.id == Membership.user_id)
                                      .join(Company, Company.id == Membership.company_id)
                                      .where(UserAccount.email == email, Company.name == company)).one())


def test_the_page_lists_the_admins_and_invites_then_changes_an_access(app_db, browser):
    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    page = tab.state(AdminsState)
    tab.call(page.load)
    rows = {row["email"]: row for row in page.admins}
    assert rows["hbernard@flexis.com"]["role_label"] == "Administrateur" and rows["hbernard@flexis.com"]["is_self"]
    assert rows[ACCOUNTANT]["scope"] == "CTR-FLX-2026" and rows[ACCOUNTANT]["until"] != ""
    assert [r["key"] for r in page.roles] == ["admin", "billing_admin", "licence_admin", "billing_reader"]
    assert len(page.matrix) == 9 and page.matrix[0]["billing_reader"] == "yes"
    form = tab.state(AccessFormState)
    tab.call(form.open_invite)
    tab.call(form.set_email, "pas une adresse")
    tab.call(form.submit)
    assert form.email_error and form.opened  # told next to the field, nothing sent
    tab.call(form.set_email, "lea@cabinet.example")
    tab.call(form.set_everything, False)
    tab.call(form.submit)
    assert "contrat" in form.scope_error
    tab.call(form.toggle_contract, page.contracts[0]["key"], True)
    tab.call(form.submit)
    assert not form.opened and "lea@cabinet.example" in page.notice
    assert any(r["email"] == "lea@cabinet.example" and r["status"] == "invited" for r in page.admins)
    tab.call(form.open_edit, _key(ACCOUNTANT))
    assert form.role == "billing_reader" and not form.everything and form.chosen
    tab.call(form.set_role, "billing_admin")
    tab.call(form.submit)
    with read_scope() as session:
        role = session.exec(select(Membership.role).where(Membership.id == int(_key(ACCOUNTANT)[1:]))).one()
    assert role == "billing_admin"


def test_the_last_admin_is_told_and_another_companys_rows_are_out_of_reach(app_db, browser):
    before = _snapshot()
    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    page, form = tab.state(AdminsState), tab.state(AccessFormState)
    tab.call(page.load)
    tab.call(page.ask_remove, _key("hbernard@flexis.com"))
    tab.call(page.remove)
    assert "au moins un administrateur" in page.error
    acme = _key("pdurand@acme-logistique.fr", "Acme Logistique")
    tab.call(page.ask_remove, acme)  # not one of its rows: nothing opens
    assert page.confirming == ""
    page.confirming = acme  # as if a forged dialog had opened
    tab.call(page.remove)
    assert "n’existe pas" in page.error
    form.editing, form.role = acme, "billing_reader"
    tab.call(form.submit)
    assert "n’existe pas" in form.error
    for odd in ("i1 OR 1=1", "m-1", "x" * 5000, "\ud800"):
        tab.call(page.resend, odd)
        tab.call(page.revoke, odd)
    assert _snapshot() == before


def test_a_reader_reaches_no_handler_of_the_page(app_db, browser):
    before = _snapshot()
    tab = browser(cookie=_signed_in_cookie(ACCOUNTANT))
    page, form = tab.state(AdminsState), tab.state(AccessFormState)
    tab.call(page.load)
    assert page.admins == [] and "pas accès" in page.error
    form.email, form.role = "friend@x.example", "admin"
    tab.call(form.submit)
    assert "pas accès" in form.error
    page.confirming = _key("hbernard@flexis.com")
    tab.call(page.remove)
    assert _snapshot() == before


def test_the_switcher_lists_the_accounts_companies_and_refuses_another(app_db, browser):
    tab = browser(cookie=_signed_in_cookie(ACCOUNTANT))
    shell = tab.state(ShellState)
    tab.call(shell.load)
    assert [c["name"] for c in shell.companies] == ["Acme Logistique", "Flexis"]
    assert shell.sections == ["overview", "contracts", "invoices", "payment"]
    start = shell.active_company
    other = next(c["key"] for c in shell.companies if c["key"] != start)
    tab.call(shell.switch_to, other)
    tab.call(shell.load)
    assert shell.active_company == other
    for odd in ("999999", "1 OR 1=1", "", "\ud800"):
        tab.call(shell.switch_to, odd)
    tab.call(shell.load)
    assert shell.active_company == other


def test_a_readers_pay_sign_assign_and_invite_events_are_refused_and_change_nothing(app_db, browser):
    from lcadmin.models import Payment, Seat
    from lcadmin.states.licences import AssignState
    from lcadmin.states.order import OrderState
    from lcadmin.states.payment import PaymentState

    def everything():
        with read_scope() as session:
            return (_snapshot(), len(session.exec(select(Payment)).all()),
                    sorted((s.id, s.status) for s in session.exec(select(Seat))))

    before = everything()
    tab = browser(cookie=_signed_in_cookie(ACCOUNTANT), path="/admin/orders/[number]",
                  params={"number": "FLD102776277396"}, url="/admin/orders/FLD102776277396")
    pay = tab.state(PaymentState)
    tab.call(pay.open_for, "invoice", "F2026-00005")
    assert not pay.opened and "pas accès" in pay.error
    pay.kind, pay.number, pay._key = "invoice", "F2026-00005", "k" * 32  # as if a forged form had opened
    tab.call(pay.submit, {"card_number": "4242424242424242", "card_expiry": "12/30", "card_cvc": "123"})
    assert "pas accès" in pay.error
    order = tab.state(OrderState)
    tab.call(order.load)
    tab.call(order.set_signer_name, "Claire Garnier")
    tab.call(order.set_authorized, True)
    tab.call(order.sign)
    assert "pas accès" in order.form_error and not order.can_sign
    assign = tab.state(AssignState)
    assign.pool = "CTR-FLX-2026:SNA"
    tab.call(assign.submit, {"emails": "friend@cabinet.example"})
    assert "pas accès" in assign.error
    form = tab.state(AccessFormState)
    form.email, form.role = "friend@cabinet.example", "billing_reader"
    tab.call(form.submit)
    assert "pas accès" in form.error
    assert everything() == before
