"""Every write to who may act for a company: audited, and a withdrawn access ends its sessions."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from lcadmin.db import read_scope, session_scope
from lcadmin.domain.permissions import Role
from lcadmin.models import AuditEvent, Membership, UserSession
from lcadmin.services import memberships
from tests import factories
from tests.factories import NOW, context


def _membership(engine, user_id, company_id):
    with read_scope(engine) as session:
        return session.exec(select(Membership).where(Membership.user_id == user_id,
                                                     Membership.company_id == company_id)).first()


def test_granting_at_least_a_role_never_lowers_one(engine):
    with session_scope(engine) as session:
        flexis, other = factories.company(session), factories.company(session)
        admin = factories.account(session, company=flexis, role=Role.ADMIN)
        member = factories.account(session, company=flexis, role=Role.BILLING_READER)
        newcomer = factories.account(session, company=None)
        for user in (admin, member, newcomer):
            memberships.grant_at_least(session, context(), user_id=user.id, company_id=flexis.id,
                                       role=Role.BILLING_ADMIN, reason="test")
        memberships.grant_at_least(session, context(), user_id=newcomer.id, company_id=other.id, role=Role.LICENCE_ADMIN,
                                   reason="test")
    assert _membership(engine, admin.id, flexis.id).role == "admin"  # stays admin
    assert _membership(engine, member.id, flexis.id).role == "billing_admin"  # raised
    assert _membership(engine, newcomer.id, flexis.id).role == "billing_admin"  # created
    with read_scope(engine) as session:
        actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["membership.changed", "membership.granted", "membership.granted"]


def test_withdrawing_an_access_ends_that_persons_sessions_in_that_company_only(engine):
    with session_scope(engine) as session:
        flexis, acme = factories.company(session), factories.company(session)
        user = factories.account(session, company=flexis, role=Role.BILLING_ADMIN)
        session.add(Membership(user_id=user.id, company_id=acme.id, role=Role.ADMIN.value))
        for company, digest in ((flexis, "a" * 64), (acme, "b" * 64)):
            session.add(UserSession(id_hash=digest, user_id=user.id, company_id=company.id,
                                    expires_at=NOW + timedelta(hours=1)))
    with session_scope(engine) as session:
        assert not memberships.revoke(session, context(), user_id=user.id, company_id=flexis.id, role=Role.ADMIN,
                                      reason="test")  # not that role: nothing withdrawn
        assert memberships.revoke(session, context(), user_id=user.id, company_id=flexis.id, reason="test")
    assert _membership(engine, user.id, flexis.id) is None and _membership(engine, user.id, acme.id) is not None
    with read_scope(engine) as session:
        ended = {row.company_id: row.ended_at for row in session.exec(select(UserSession))}
        revoked = session.exec(select(AuditEvent).where(AuditEvent.action == "membership.revoked")).one()
    assert ended == {flexis.id: NOW, acme.id: None}
    assert revoked.company_id == flexis.id


def test_a_role_that_grants_other_things_is_not_replaced_and_an_ended_access_counts_as_none(engine):
    import pytest

    from lcadmin.services.errors import NotAllowed

    with session_scope(engine) as session:
        flexis = factories.company(session)
        licences = factories.account(session, company=flexis, role=Role.LICENCE_ADMIN)
        ended = factories.account(session, company=flexis, role=Role.LICENCE_ADMIN)
        session.exec(select(Membership).where(Membership.user_id == ended.id)).one().access_until = NOW
    with session_scope(engine) as session, pytest.raises(NotAllowed, match="role_held"):
        memberships.grant_at_least(session, context(), user_id=licences.id, company_id=flexis.id,
                                   role=Role.BILLING_ADMIN, reason="test")
    with session_scope(engine) as session:
        memberships.grant_at_least(session, context(), user_id=ended.id, company_id=flexis.id,
                                   role=Role.BILLING_ADMIN, reason="test")
    assert _membership(engine, licences.id, flexis.id).role == "licence_admin"
    renewed = _membership(engine, ended.id, flexis.id)
    assert (renewed.role, renewed.access_until, renewed.all_contracts) == ("billing_admin", None, True)
