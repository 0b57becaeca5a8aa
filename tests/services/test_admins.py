"""The company's admins: the permission matrix on every guarded use case, invitations (seven days,
single use), the guardrails (last full admin, nobody grants more than they hold, narrowing ends
sessions), contract scope, time-limited access and the company switch."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import select

from lcadmin import migrations
from lcadmin.db import read_scope, session_scope
from lcadmin.domain.permissions import ROLE_PERMISSIONS, ROLES, Permission, Role, sections_of
from lcadmin.domain.statuses import InvitationStatus
from lcadmin.models import (
    AdminInvitation,
    AuditEvent,
    Company,
    Contract,
    Invoice,
    Membership,
    MembershipContract,
    OutboxMessage,
    SalesOrder,
    UserAccount,
    UserSession,
)
from lcadmin.services import admin_center, admins, memberships, sessions
from lcadmin.services.errors import InvalidInput, LinkProblem, NotAllowed, NotFound
from lcadmin.services.invoice_documents import invoice_document
from lcadmin.services.tokens import digest
from tests import factories
from tests.factories import NOW, context
from tests.helpers import race


@pytest.fixture
def settings():
    from lcadmin.settings import load_settings

    return load_settings({})


def _link_secret(engine, to: str) -> str:
    with read_scope(engine) as session:
        mail = session.exec(select(OutboxMessage).where(OutboxMessage.to_address == to)
                            .order_by(OutboxMessage.id.desc())).first()
    assert mail is not None, f"no e-mail to {to}"
    return mail.text_body.split("/invitation/")[1].split()[0]


def _world(engine):
    """A company with a full admin, one account per other role, and a stranger's company."""
    with session_scope(engine) as session:
        company, other = factories.company(session, name="Flexis"), factories.company(session, name="Globex")
        users = {role: factories.account(session, company=company, role=role, full_name=f"{role.value} person")
                 for role in ROLES}
        stranger = factories.account(session, company=other, role=Role.ADMIN)
        return (company, other, {role: factories.principal(user, company, role) for role, user in users.items()},
                factories.principal(stranger, other, Role.ADMIN))


def _invite(engine, principal, settings, email="reader@cabinet.example", role="billing_reader", **extra):
    with session_scope(engine) as session:
        return admins.invite_admin(session, context(principal=principal, now=extra.pop("now", NOW)), email=email,
                                   role=role, everything=extra.pop("everything", True),
                                   contracts=extra.pop("contracts", []), until=extra.pop("until", ""), locale="fr",
                                   settings=settings)


def test_the_matrix_separates_billing_from_licences_and_every_section_needs_its_permission():
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert Permission.VIEW_BILLING not in ROLE_PERMISSIONS[Role.LICENCE_ADMIN]
    assert Permission.MANAGE_LICENCES not in ROLE_PERMISSIONS[Role.BILLING_ADMIN]
    assert ROLE_PERMISSIONS[Role.BILLING_READER] == {Permission.VIEW_BILLING}
    assert sections_of("billing_reader") == ["overview", "contracts", "invoices", "payment"]
    assert sections_of("licence_admin") == ["overview", "licences"]
    assert sections_of("admin")[-2:] == ["admins", "activity"] and sections_of("nonsense") == []


# Each guarded use case, and the permission it needs; called with every role, it either works or
# is refused and leaves the database as it was.
def _calls(settings):
    from lcadmin.services import licences, orders
    from lcadmin.services.payments import checkout

    return {
        "invite": (Permission.MANAGE_ADMINS, lambda s, c: admins.invite_admin(
            s, c, email="new@x.example", role="billing_reader", everything=True, contracts=[], until="",
            locale="fr", settings=settings)),
        "list_admins": (Permission.MANAGE_ADMINS, lambda s, c: admins.list_admins(s, c, settings=settings)),
        "invoices": (Permission.VIEW_BILLING, lambda s, c: admin_center.list_invoices(s, c, zone="Europe/Paris")),
        "contracts": (Permission.VIEW_BILLING, lambda s, c: admin_center.list_contracts(s, c)),
        "holders": (Permission.VIEW_LICENCES, lambda s, c: licences.list_holders(s, c, settings=settings)),
        "assign": (Permission.MANAGE_LICENCES, lambda s, c: licences.assign_seats(
            s, c, pool="x", emails="a@x.example", locale="fr", settings=settings)),
        "sign": (Permission.SIGN_ORDERS, lambda s, c: orders.sign_order(
            s, c, number="NOPE", signer_name="Alex Test", authorized=True, vendor=settings.vendor)),
        "pay": (Permission.PAY, lambda s, c: checkout.find_payable(s, c, "invoice", "NOPE")),
    }


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_every_role_may_do_what_the_matrix_says_and_nothing_else(engine, settings, role):
    _, _, principals, _ = _world(engine)
    for name, (needed, call) in _calls(settings).items():
        with read_scope(engine) as session:
            before = (len(session.exec(select(AdminInvitation)).all()), len(session.exec(select(AuditEvent)).all()))
        try:
            with session_scope(engine) as session:
                call(session, context(principal=principals[role]))
            outcome = "done"
        except NotAllowed as refusal:
            outcome = refusal.code
        except (NotFound, InvalidInput):
            outcome = "done"  # allowed through, then the made-up document or pool is not found
        allowed = needed in ROLE_PERMISSIONS[role]
        assert outcome == ("done" if allowed else "forbidden"), (role, name)
        if not allowed:
            with read_scope(engine) as session:
                after = (len(session.exec(select(AdminInvitation)).all()),
                         len(session.exec(select(AuditEvent)).all()))
            assert after == before, (role, name)


def test_an_invitation_is_e_mailed_accepted_once_by_any_account_and_gives_its_role(engine, settings):
    company, _, principals, _ = _world(engine)
    _invite(engine, principals[Role.ADMIN], settings)
    secret = _link_secret(engine, "reader@cabinet.example")
    with session_scope(engine) as session:
        accountant = factories.account(session, company=None, email="claire@perso.example")
        raw_id = "s" * 43
        session.add(UserSession(id_hash=digest(raw_id), user_id=accountant.id, expires_at=NOW + timedelta(hours=1)))
    who = factories.principal(accountant, None, None)
    with read_scope(engine) as session:
        assert admins.inspect_invitation(session, context(), secret=secret).state == "valid"
    with session_scope(engine) as session:
        view = admins.accept_invitation(session, context(principal=who), secret=secret, raw_id=raw_id,
                                        settings=settings)
    assert view.state == "done" and view.role == "Lecteur de la facturation"
    with read_scope(engine) as session:
        membership = session.exec(select(Membership).where(Membership.user_id == accountant.id)).one()
        invitation = session.exec(select(AdminInvitation)).one()
        moved = session.exec(select(UserSession).where(UserSession.user_id == accountant.id)).one().company_id
    assert (membership.role, membership.company_id, moved) == ("billing_reader", company.id, company.id)
    assert (invitation.status, invitation.accepted_by) == (InvitationStatus.ACCEPTED.value, accountant.id)
    assert invitation.accepted_at == NOW
    with read_scope(engine) as session:
        events = [(e.action, e.actor_user_id) for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
        told = {m.to_address for m in session.exec(select(OutboxMessage).where(OutboxMessage.kind == "admin_joined"))}
    assert events[-2:] == [("invitation.accepted", accountant.id), ("membership.granted", accountant.id)]
    assert told == {principals[Role.ADMIN].email}  # the full admins hear of it
    with session_scope(engine) as session, pytest.raises(LinkProblem, match="link_used"):
        admins.accept_invitation(session, context(principal=who), secret=secret, raw_id="", settings=settings)


def test_an_invitation_lapses_after_seven_days_and_a_resend_replaces_its_link(engine, settings):
    _, _, principals, _ = _world(engine)
    _invite(engine, principals[Role.ADMIN], settings)
    first = _link_secret(engine, "reader@cabinet.example")
    with session_scope(engine) as session:
        taker = factories.principal(factories.account(session, company=None), None, None)
    late = NOW + admins.INVITATION_TTL + timedelta(seconds=1)
    with session_scope(engine) as session, pytest.raises(LinkProblem, match="link_expired"):
        admins.accept_invitation(session, context(principal=taker, now=late), secret=first, raw_id="",
                                 settings=settings)
    with session_scope(engine) as session:
        key = str(session.exec(select(AdminInvitation.id)).one())
        admins.resend_invitation(session, context(principal=principals[Role.ADMIN], now=late), key=key,
                                 settings=settings)
    second = _link_secret(engine, "reader@cabinet.example")
    assert second != first
    with read_scope(engine) as session:
        assert admins.inspect_invitation(session, context(now=late), secret=first).state in ("used", "expired")
        assert admins.inspect_invitation(session, context(now=late), secret=second).state == "valid"
    with session_scope(engine) as session:
        admins.revoke_invitation(session, context(principal=principals[Role.ADMIN], now=late), key=key,
                                 settings=settings)
    with session_scope(engine) as session, pytest.raises(LinkProblem, match="link_used"):
        admins.accept_invitation(session, context(principal=taker, now=late), secret=second, raw_id="",
                                 settings=settings)
    with read_scope(engine) as session:
        actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))
                   if e.action.startswith(("invitation.", "link."))]
    assert actions == ["invitation.sent", "link.refused", "invitation.resent", "invitation.revoked", "link.refused"]


def test_invitations_refuse_members_duplicates_odd_roles_and_scopes_that_cannot_be(engine, settings):
    _, _, principals, _ = _world(engine)
    admin = principals[Role.ADMIN]
    cases = [
        (dict(email=principals[Role.BILLING_ADMIN].email), "already_admin"),
        (dict(role="owner"), "role_invalid"),
        (dict(role="licence_admin", everything=False, contracts=["1"]), "scope_not_scopable"),
        (dict(everything=False, contracts=[]), "scope_required"),
        (dict(everything=False, contracts=["999999"]), "scope_invalid"),
        (dict(until="2020-01-01"), "until_past"),
        (dict(until="demain"), "until_invalid"),
        (dict(email="pas une adresse"), "email_invalid"),
    ]
    for extra, code in cases:
        with pytest.raises(InvalidInput) as refused:
            _invite(engine, admin, settings, **extra)
        assert refused.value.code == code, extra
    _invite(engine, admin, settings)
    with pytest.raises(InvalidInput, match="already_invited"):
        _invite(engine, admin, settings)


def test_nobody_grants_more_than_they_hold_a_time_limited_admin_grants_no_lasting_access(engine, settings):
    _, _, principals, _ = _world(engine)
    limited = replace(principals[Role.ADMIN], access_until=NOW + timedelta(days=10))  # ends in ten days
    with pytest.raises(InvalidInput, match="until_too_late"):
        _invite(engine, limited, settings)
    with pytest.raises(InvalidInput, match="until_too_late"):
        _invite(engine, limited, settings, until=(NOW + timedelta(days=30)).date().isoformat())
    assert _invite(engine, limited, settings, until=(NOW + timedelta(days=5)).date().isoformat())


def _member_key(engine, principal) -> str:
    with read_scope(engine) as session:
        return str(session.exec(select(Membership.id).where(Membership.user_id == principal.user_id)).one())


def _change(engine, actor, target_key, settings, role="billing_reader", **extra):
    with session_scope(engine) as session:
        return admins.change_access(session, context(principal=actor), key=target_key, role=role,
                                    everything=extra.get("everything", True), contracts=extra.get("contracts", []),
                                    until=extra.get("until", ""), settings=settings)


def test_the_last_full_admin_can_be_neither_demoted_nor_removed_nor_given_an_end(engine, settings):
    _, _, principals, _ = _world(engine)
    admin = principals[Role.ADMIN]
    key = _member_key(engine, admin)
    for attempt in (lambda: _change(engine, admin, key, settings),
                    lambda: _change(engine, admin, key, settings, role="admin",
                                    until=(NOW + timedelta(days=3)).date().isoformat()),
                    lambda: _remove(engine, admin, key, settings)):
        with pytest.raises(InvalidInput, match="last_admin"):
            attempt()
    _change(engine, admin, _member_key(engine, principals[Role.BILLING_ADMIN]), settings, role="admin")
    _change(engine, admin, key, settings)  # another standing admin now: allowed
    with read_scope(engine) as session:
        assert session.exec(select(Membership.role).where(Membership.user_id == admin.user_id)).one() == \
            "billing_reader"


def _remove(engine, actor, key, settings):
    with session_scope(engine) as session:
        return admins.remove_admin(session, context(principal=actor), key=key, settings=settings)


def _two_admins_demote_each_other(engine, settings) -> list[str]:
    with session_scope(engine) as session:
        company = factories.company(session)
        first, second = (factories.account(session, company=company, role=Role.ADMIN) for _ in range(2))
        people = [(factories.principal(u, company, Role.ADMIN), factories.principal(o, company, Role.ADMIN))
                  for u, o in ((first, second), (second, first))]
    keys = iter([_member_key(engine, people[0][1]), _member_key(engine, people[1][1])])
    pairs = iter([(people[0][0], next(keys)), (people[1][0], next(keys))])
    lock = threading.Lock()

    def attempt() -> str:
        with lock:
            actor, key = next(pairs)
        try:
            _change(engine, actor, key, settings)
            return "demoted"
        except InvalidInput as refusal:
            return refusal.code

    results = race(2, attempt)
    with read_scope(engine) as session:
        admins_left = session.exec(select(Membership).where(Membership.company_id == company.id,
                                                            Membership.role == "admin")).all()
    assert len(admins_left) == 1
    return results


def test_two_concurrent_demotions_leave_one_full_admin_on_sqlite(engine, settings):
    assert _two_admins_demote_each_other(engine, settings) == ["demoted", "last_admin"]


def test_two_concurrent_demotions_leave_one_full_admin_on_postgresql(pg_engine, settings):
    migrations.upgrade(pg_engine)
    assert _two_admins_demote_each_other(pg_engine, settings) == ["demoted", "last_admin"]


def test_a_narrowed_access_ends_the_persons_sessions_and_a_removed_one_refuses_their_next_call(engine, settings):
    company, _, principals, _ = _world(engine)
    target = principals[Role.BILLING_ADMIN]
    with session_scope(engine) as session:
        session.add(UserSession(id_hash=digest("t" * 43), user_id=target.user_id, company_id=company.id,
                                expires_at=NOW + timedelta(hours=1), last_seen_at=NOW, created_at=NOW))
    _change(engine, principals[Role.ADMIN], _member_key(engine, target), settings, role="billing_reader")
    with read_scope(engine) as session:
        assert sessions.resolve_session(session, "t" * 43, settings=settings, now=NOW, record_activity=False) is None
        sent = {m.to_address for m in session.exec(select(OutboxMessage).where(OutboxMessage.kind == "admin_changed"))}
    assert sent == {target.email, principals[Role.ADMIN].email}  # the person, and the full admins
    with session_scope(engine) as session:
        admins.remove_admin(session, context(principal=principals[Role.ADMIN]), key=_member_key(engine, target),
                            settings=settings)
    with read_scope(engine) as session:
        assert session.exec(select(Membership).where(Membership.user_id == target.user_id)).first() is None
        actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.subject ==
                                                                            f"user:{target.user_id}"))]
    assert actions == ["membership.changed", "membership.revoked"]


def test_another_companys_admin_or_invitation_is_not_found(engine, settings):
    _, _, principals, stranger = _world(engine)
    key = _member_key(engine, principals[Role.BILLING_READER])
    for odd in (key, "-1", "1 OR 1=1", None, [], 10**30):
        with session_scope(engine) as session, pytest.raises(NotFound):
            admins.remove_admin(session, context(principal=stranger), key=odd, settings=settings)
    _invite(engine, principals[Role.ADMIN], settings)
    with session_scope(engine) as session:
        invitation = str(session.exec(select(AdminInvitation.id)).one())
    with session_scope(engine) as session, pytest.raises(NotFound):
        admins.revoke_invitation(session, context(principal=stranger), key=invitation, settings=settings)


def test_a_scoped_reader_reaches_only_their_contracts_documents(demo, settings):
    with read_scope(demo) as session:
        user = session.exec(select(UserAccount).where(UserAccount.email == "claire.garnier@cabinet-garnier.fr")).one()
        flexis = session.exec(select(Company).where(Company.name == "Flexis")).one()
        principal = sessions.Principal(user.id, user.email, user.full_name, flexis.id, "Flexis", "billing_reader",
                                       contract_ids=sessions.scope_of(session, session.exec(select(Membership).where(
                                           Membership.user_id == user.id, Membership.company_id == flexis.id)).one()))
        contract = session.exec(select(Contract).where(Contract.number == "CTR-FLX-2026")).one()
    assert principal.contract_ids == {contract.id}
    with session_scope(demo) as session:  # an invoice under no contract of the scope
        outside = factories.invoice(session, flexis)
        outside_number = outside.number
    with read_scope(demo) as session:
        ctx = context(principal=principal)
        contracts = [row.number for row in admin_center.list_contracts(session, ctx)]
        invoices = admin_center.list_invoices(session, ctx, zone="Europe/Paris")
        searched = admin_center.list_invoices(session, ctx, zone="Europe/Paris", search=outside_number)
        in_scope = {i.number for i in session.exec(select(Invoice).join(SalesOrder, SalesOrder.id == Invoice.order_id)
                                                   .where(SalesOrder.contract_id == contract.id,
                                                          Invoice.status != "draft"))}
        everything = admin_center.list_invoices(session, context(principal=sessions.Principal(
            user.id, user.email, user.full_name, flexis.id, "Flexis", "admin")), zone="Europe/Paris")
    assert contracts == ["CTR-FLX-2026"]
    assert {row.number for row in invoices} == in_scope and list(searched) == []
    assert outside_number in {row.number for row in everything}
    with read_scope(demo) as session, pytest.raises(NotFound):
        invoice_document(session, context(principal=principal), outside_number, settings.vendor)


def test_a_time_limited_access_stops_by_itself_and_the_admins_are_told_a_week_before(engine, settings):
    company, _, principals, _ = _world(engine)
    reader = principals[Role.BILLING_READER]
    until_day = (NOW + timedelta(days=5)).date().isoformat()
    _change(engine, principals[Role.ADMIN], _member_key(engine, reader), settings, until=until_day)
    with session_scope(engine) as session:
        session.add(UserSession(id_hash=digest("r" * 43), user_id=reader.user_id, company_id=company.id,
                                expires_at=NOW + timedelta(days=30), last_seen_at=NOW, created_at=NOW))
    with session_scope(engine) as session:
        assert admins.send_access_expiry_notices(session, context(), settings=settings) == 1
        assert admins.send_access_expiry_notices(session, context(), settings=settings) == 0  # once
    with read_scope(engine) as session:
        until = session.exec(select(Membership.access_until).where(Membership.user_id == reader.user_id)).one()
        before = sessions.resolve_session(session, "r" * 43, settings=settings, now=until - timedelta(minutes=1),
                                          record_activity=False)
        after = sessions.resolve_session(session, "r" * 43, settings=settings, now=until, record_activity=False)
        told = {m.to_address: m.subject for m in session.exec(select(OutboxMessage).where(
            OutboxMessage.kind == "admin_access_ending"))}
    assert before is None or before.role == "billing_reader"  # (idle timeout aside) still a reader until then
    assert after is None or after.role is None
    assert set(told) == {reader.email, principals[Role.ADMIN].email}
    assert told[reader.email].startswith("Votre accès à Flexis prend fin le")
    assert told[principals[Role.ADMIN].email].startswith("L’accès de billing_reader person")


def test_the_company_switch_rechecks_the_membership(engine, settings):
    company, other, principals, _ = _world(engine)
    admin = principals[Role.ADMIN]
    with session_scope(engine) as session:
        session.add(Membership(user_id=admin.user_id, company_id=other.id, role=Role.BILLING_READER.value))
        session.add(UserSession(id_hash=digest("w" * 43), user_id=admin.user_id, company_id=company.id,
                                expires_at=NOW + timedelta(hours=1), last_seen_at=NOW, created_at=NOW))
    with read_scope(engine) as session:
        choices = memberships.companies_of(session, context(principal=admin))
    assert [c.name for c in choices] == ["Flexis", "Globex"]
    with session_scope(engine) as session:
        assert memberships.switch_company(session, context(principal=admin), raw_id="w" * 43,
                                          key=str(other.id)) == "Globex"
    with read_scope(engine) as session:
        now_in = sessions.resolve_session(session, "w" * 43, settings=settings, now=NOW, record_activity=False)
    assert (now_in.company_id, now_in.role) == (other.id, "billing_reader")
    with session_scope(engine) as session:
        stranger_company = factories.company(session)
    for key in (str(stranger_company.id), "nope", None):
        with session_scope(engine) as session, pytest.raises(NotAllowed):
            memberships.switch_company(session, context(principal=admin), raw_id="w" * 43, key=key)
    with read_scope(engine) as session:
        denied = session.exec(select(AuditEvent).where(AuditEvent.action == "company.switched",
                                                       AuditEvent.outcome == "denied")).all()
    assert len(denied) == 3


def test_a_scoped_billing_admin_chooses_the_method_of_their_contracts_only(demo, settings):
    from lcadmin.services.payment_methods import changes, wallet

    with read_scope(demo) as session:
        flexis = session.exec(select(Company).where(Company.name == "Flexis")).one()
        hugo = session.exec(select(UserAccount).where(UserAccount.email == "hbernard@flexis.com")).one()
        seed = session.exec(select(Contract).where(Contract.number == "CTR-FLX-2026")).one()
    scoped = sessions.Principal(hugo.id, hugo.email, hugo.full_name, flexis.id, "Flexis", "billing_admin",
                                contract_ids=frozenset({seed.id}))
    with read_scope(demo) as session:
        view = wallet.list_wallet(session, context(principal=scoped), vendor=settings.vendor)
    assert [c.number for c in view.contracts] == ["CTR-FLX-2026"] and view.can_choose and not view.can_manage
    with session_scope(demo) as session:
        assert changes.choose_for_contract(session, context(principal=scoped), contract_number="CTR-FLX-2026",
                                           choice=wallet.TRANSFER, settings=settings)
    with session_scope(demo) as session, pytest.raises(NotFound):
        changes.choose_for_contract(session, context(principal=scoped), contract_number="CTR-FLX-SUPPORT",
                                    choice=wallet.TRANSFER, settings=settings)
    with session_scope(demo) as session, pytest.raises(NotAllowed):
        changes.set_default(session, context(principal=scoped), choice=wallet.TRANSFER, settings=settings)


def test_an_admin_removed_or_lowered_cannot_come_back_through_an_invitation_they_sent(engine, settings):
    _, _, principals, _ = _world(engine)
    admin, other = principals[Role.ADMIN], principals[Role.BILLING_ADMIN]
    _change(engine, admin, _member_key(engine, other), settings, role="admin")  # two full admins
    first = replace(other, role="admin")
    _invite(engine, first, settings, email="backdoor@evil.example", role="admin")
    secret = _link_secret(engine, "backdoor@evil.example")
    _remove(engine, admin, _member_key(engine, other), settings)
    with session_scope(engine) as session:
        taker = factories.principal(factories.account(session, company=None), None, None)
    with session_scope(engine) as session, pytest.raises(LinkProblem, match="link_used"):
        admins.accept_invitation(session, context(principal=taker), secret=secret, raw_id="", settings=settings)
    with read_scope(engine) as session:
        assert session.exec(select(AdminInvitation.status)).one() == InvitationStatus.REVOKED.value
        assert session.exec(select(Membership).where(Membership.user_id == taker.user_id)).first() is None
    # An invitation made before its inviter was lowered (the link still open) is refused too
    _invite(engine, admin, settings, email="second@cabinet.example", role="admin")
    second = _link_secret(engine, "second@cabinet.example")
    with session_scope(engine) as session:  # lowered behind the page's back: the acceptance checks again
        session.exec(select(Membership).where(Membership.user_id == admin.user_id)).one().role = "billing_reader"
    with session_scope(engine) as session, pytest.raises(LinkProblem, match="link_used"):
        admins.accept_invitation(session, context(principal=taker), secret=second, raw_id="", settings=settings)


def test_an_invitation_whose_access_has_already_ended_gives_nothing(engine, settings):
    _, _, principals, _ = _world(engine)
    _invite(engine, principals[Role.ADMIN], settings, until=(NOW + timedelta(days=2)).date().isoformat())
    secret = _link_secret(engine, "reader@cabinet.example")
    with session_scope(engine) as session:
        taker = factories.principal(factories.account(session, company=None), None, None)
    with session_scope(engine) as session, pytest.raises(LinkProblem):
        admins.accept_invitation(session, context(principal=taker, now=NOW + timedelta(days=4)), secret=secret,
                                 raw_id="", settings=settings)


def test_company_e_mails_reach_neither_an_ended_access_nor_a_scope_that_does_not_cover_them(engine):
    from lcadmin.services.payment_methods.notices import wallet_recipients

    company, _, principals, _ = _world(engine)
    with session_scope(engine) as session:
        ended = factories.account(session, company=company, role=Role.BILLING_ADMIN)
        session.exec(select(Membership).where(Membership.user_id == ended.id)).one().access_until = NOW
        contract = Contract(company_id=company.id, number="CTR-T-1", title="T", start_date=NOW.date(),
                            end_date=NOW.date(), status="active")
        session.add(contract)
        session.flush()
        scoped = factories.account(session, company=company, role=Role.BILLING_ADMIN)
        membership = session.exec(select(Membership).where(Membership.user_id == scoped.id)).one()
        membership.all_contracts = False
        session.add(MembershipContract(membership_id=membership.id, contract_id=contract.id))
        contract_id, ended_email, scoped_email = contract.id, ended.email, scoped.email
    with read_scope(engine) as session:
        wallet = set(wallet_recipients(session, company.id, NOW))
        signers = {u.email for u in memberships.holders_of(session, company.id, Permission.SIGN_ORDERS, NOW,
                                                            contract_id=contract_id)}
        elsewhere = {u.email for u in memberships.holders_of(session, company.id, Permission.SIGN_ORDERS, NOW)}
    assert ended_email not in wallet and scoped_email not in wallet and principals[Role.BILLING_ADMIN].email in wallet
    assert scoped_email in signers and ended_email not in signers and scoped_email not in elsewhere


def test_a_scoped_billing_admin_sees_the_licences_of_their_contracts_only(demo, settings):
    from lcadmin.services import licences

    with read_scope(demo) as session:
        flexis = session.exec(select(Company).where(Company.name == "Flexis")).one()
        hugo = session.exec(select(UserAccount).where(UserAccount.email == "hbernard@flexis.com")).one()
        ids = {c.number: c.id for c in session.exec(select(Contract).where(Contract.company_id == flexis.id))}

    def seen(numbers):
        principal = sessions.Principal(hugo.id, hugo.email, hugo.full_name, flexis.id, "Flexis", "billing_admin",
                                       contract_ids=frozenset(ids[n] for n in numbers))
        with read_scope(demo) as session:
            ctx = context(principal=principal)
            return (len(licences.pool_rows(session, ctx, settings=settings)),
                    licences.list_holders(session, ctx, settings=settings).total)
    assert seen(["CTR-FLX-2026"]) == (2, 12)
    assert seen(["CTR-FLX-SUPPORT"]) == (0, 0)
