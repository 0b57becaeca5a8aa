"""Licences: seat pools counted from what is in force, assigning by e-mail (all or none, never
past the pool, one seat of a product per person), the invitation link (90 days, single use,
opening it never uses it), unassigning and reassigning, and another company's seats not found."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import col, func, select

from lcadmin import migrations
from lcadmin.db import create_engine, read_scope, session_scope
from lcadmin.domain.permissions import Role
from lcadmin.domain.statuses import OrderStatus
from lcadmin.models import ActionToken, AuditEvent, Company, OrderLine, OutboxMessage, Product, Seat
from lcadmin.services import licences
from lcadmin.services.errors import InvalidInput, LinkProblem, NotAllowed, NotFound
from lcadmin.services.sessions import Principal
from tests import factories
from tests.conftest import postgres_url
from tests.factories import NOW, context
from tests.helpers import race


def _world(engine, *, seats: int = 3, status: OrderStatus = OrderStatus.SIGNED, start: date = date(2026, 1, 1),
           end: date = date(2026, 12, 31)):
    """A company whose contract holds ``seats`` seats of product SNA through one order, and its admin."""
    with session_scope(engine) as session:
        company = factories.company(session)
        admin = factories.account(session, company=company, role=Role.ADMIN)
        contract, _ = factories.seat_pool(session, company, seats=seats, status=status, start=start, end=end)
        return {"pool": f"{contract.number}:SNA", "company": company.id}, factories.principal(admin, company)


def _assign(engine, who: Principal, pool: str, emails, *, now=NOW, locale="fr", settings=None):
    from lcadmin.settings import load_settings

    with session_scope(engine) as session:
        return licences.assign_seats(session, context(principal=who, now=now), pool=pool, emails=emails,
                                     locale=locale, settings=settings or load_settings({}))


def _pool(engine, who: Principal, *, now=NOW):
    from lcadmin.settings import load_settings

    with read_scope(engine) as session:
        [row] = licences.pool_rows(session, context(principal=who, now=now), settings=load_settings({}))
        held = session.exec(select(func.count(Seat.id)).where(Seat.company_id == who.company_id,
                                                              col(Seat.status).in_(("invited", "active")))).one()
    assert row.assigned == held  # the kept count is the seats' own
    return row.purchased, row.assigned, row.available


def _secret_of(engine, email: str) -> str:
    with read_scope(engine) as session:
        mail = session.exec(select(OutboxMessage).where(OutboxMessage.to_address == email,
                                                        OutboxMessage.kind == "seat_invitation")
                            .order_by(OutboxMessage.id.desc())).first()
    return mail.text_body.split("/licence/")[1].split()[0]


def test_purchased_seats_are_those_of_signed_orders_in_force_and_invited_counts_as_assigned(engine):
    ids, admin = _world(engine, seats=3)
    assert _pool(engine, admin) == (3, 0, 3)
    _assign(engine, admin, ids["pool"], "a@x.example, b@x.example")
    assert _pool(engine, admin) == (3, 2, 1)  # invited seats are taken
    from lcadmin.settings import load_settings

    _, later = _world(engine, seats=5, start=date(2027, 1, 1), end=date(2027, 12, 31))
    _, unsigned = _world(engine, seats=5, status=OrderStatus.AWAITING_SIGNATURE)
    with read_scope(engine) as session:
        for who in (later, unsigned):  # not in force yet, not signed: no seat
            assert licences.pool_rows(session, context(principal=who), settings=load_settings({})) == []
    assert _pool(engine, later, now=NOW.replace(year=2027)) == (5, 0, 5)  # in force a year later


def test_assigning_is_all_or_nothing_and_never_past_the_pool(engine):
    ids, admin = _world(engine, seats=2)
    for emails, code in (("a@x.example, b@x.example, c@x.example", "not_enough_seats"),
                         ("a@x.example, not-an-address", "emails_invalid"), ("", "emails_required"),
                         (" , ; ", "emails_required")):
        with pytest.raises(InvalidInput) as refused:
            _assign(engine, admin, ids["pool"], emails)
        assert (refused.value.code, refused.value.field) == (code, "emails")
    assert _pool(engine, admin) == (2, 0, 2)
    with read_scope(engine) as session:
        assert session.exec(select(Seat)).all() == [] and session.exec(select(OutboxMessage)).all() == []
    assert _assign(engine, admin, ids["pool"], "A@X.example\nb@x.example; a@x.example") == ["a@x.example",
                                                                                            "b@x.example"]
    with pytest.raises(InvalidInput) as refused:
        _assign(engine, admin, ids["pool"], "a@x.example")
    assert refused.value.code in ("already_holds", "not_enough_seats")


def test_one_person_holds_at_most_one_seat_of_a_product(engine):
    ids, admin = _world(engine, seats=5)
    _assign(engine, admin, ids["pool"], "a@x.example")
    with pytest.raises(InvalidInput) as refused:
        _assign(engine, admin, ids["pool"], "b@x.example, A@x.example")
    assert refused.value.code == "already_holds" and _pool(engine, admin) == (5, 1, 4)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_two_admins_taking_the_last_seat_at_once_one_wins(engine, db_path, database, request):
    if database == "postgresql":
        schema = request.getfixturevalue("pg_schema")
        url = postgres_url(schema)
        engine = create_engine(url)
        migrations.upgrade(engine)
    else:
        url = f"sqlite:///{db_path}"
    try:
        ids, admin = _world(engine, seats=1)

        def take(n: int) -> str:
            worker = create_engine(url)
            try:
                _assign(worker, admin, ids["pool"], f"person{n}@x.example")
                return "won"
            except InvalidInput as error:
                return error.code
            finally:
                worker.dispose()

        numbers = iter(range(4))
        assert race(4, lambda: take(next(numbers))) == ["not_enough_seats"] * 3 + ["won"]
        assert _pool(engine, admin) == (1, 1, 0)
    finally:
        if database == "postgresql":
            engine.dispose()


def test_the_invitation_link_works_90_days_once_and_opening_it_never_uses_it(engine):
    ids, admin = _world(engine)
    _assign(engine, admin, ids["pool"], "new.hire@x.example", locale="en")
    with read_scope(engine) as session:
        mail = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "seat_invitation")).one()
        token = session.exec(select(ActionToken).where(ActionToken.purpose == "licence")).one()
    assert mail.subject == "You have received a Sales Navigator Advanced licence"  # the assigner chose English
    assert token.expires_at == NOW + timedelta(days=90)
    secret = _secret_of(engine, "new.hire@x.example")
    with session_scope(engine) as session:
        for _ in range(3):  # a mail scanner, then the person, open it
            view = licences.inspect_invitation(session, context(), secret=secret)
            assert (view.state, view.product, view.email) == ("valid", "Sales Navigator Advanced",
                                                              "new.hire@x.example")
    with session_scope(engine) as session:  # activating needs an account (any address)
        with pytest.raises(NotAllowed):
            licences.activate_seat(session, context(), secret=secret)
    with session_scope(engine) as session:
        user = factories.account(session, email="perso@gmail.example", full_name="Nina Nouvelle")
        holder = factories.principal(user, None, None)
    with session_scope(engine) as session:
        assert licences.activate_seat(session, context(principal=holder), secret=secret).state == "done"
    with session_scope(engine) as session, pytest.raises(LinkProblem) as used:
        licences.activate_seat(session, context(principal=holder), secret=secret)
    assert used.value.code == "link_used"
    with read_scope(engine) as session:
        seat = session.exec(select(Seat)).one()
    assert (seat.status, seat.user_id, seat.full_name) == ("active", user.id, "Nina Nouvelle")
    assert _pool(engine, admin) == (3, 1, 2)


def test_an_invitation_link_expires_after_90_days(engine):
    ids, admin = _world(engine)
    _assign(engine, admin, ids["pool"], "late@x.example")
    secret = _secret_of(engine, "late@x.example")
    later = NOW + timedelta(days=90, seconds=1)
    with session_scope(engine) as session:
        assert licences.inspect_invitation(session, context(now=later), secret=secret).state == "expired"
        user = factories.account(session, email="late@perso.example")
        holder = factories.principal(user, None, None)
    with session_scope(engine) as session, pytest.raises(LinkProblem) as expired:
        licences.activate_seat(session, context(principal=holder, now=later), secret=secret)
    assert expired.value.code == "link_expired"


def test_resending_makes_the_old_link_stop_working_and_revoking_frees_the_seat(engine):
    ids, admin = _world(engine, seats=1)
    _assign(engine, admin, ids["pool"], "a@x.example")
    first = _secret_of(engine, "a@x.example")
    with read_scope(engine) as session:
        seat_id = str(session.exec(select(Seat.id)).one())
    from lcadmin.settings import load_settings

    with session_scope(engine) as session:
        licences.resend_invitation(session, context(principal=admin), seat_id=seat_id, settings=load_settings({}))
    second = _secret_of(engine, "a@x.example")
    with session_scope(engine) as session:
        assert second != first and licences.inspect_invitation(session, context(), secret=first).state == "used"
        assert licences.inspect_invitation(session, context(), secret=second).state == "valid"
    with session_scope(engine) as session:
        licences.revoke_invitation(session, context(principal=admin), seat_id=seat_id)
    assert _pool(engine, admin) == (1, 0, 1)
    with session_scope(engine) as session:
        assert licences.inspect_invitation(session, context(), secret=second).state == "used"


def test_unassigning_frees_the_seat_at_once_and_tells_the_holder(engine):
    ids, admin = _world(engine, seats=1)
    _assign(engine, admin, ids["pool"], "a@x.example")
    with read_scope(engine) as session:
        seat_id = str(session.exec(select(Seat.id)).one())
    with session_scope(engine) as session:
        licences.unassign_seat(session, context(principal=admin), seat_id=seat_id)
    assert _pool(engine, admin) == (1, 0, 1)
    with read_scope(engine) as session:
        told = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "seat_removed")).one()
        actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.subject == f"seat:{seat_id}"))]
    assert told.to_address == "a@x.example" and "seat.invited" in actions and "seat.unassigned" in actions
    _assign(engine, admin, ids["pool"], "a@x.example")  # the same person may hold it again
    assert _pool(engine, admin) == (1, 1, 0)


def test_reassigning_moves_the_seat_in_one_step(engine):
    ids, admin = _world(engine, seats=1)
    _assign(engine, admin, ids["pool"], "a@x.example")
    with read_scope(engine) as session:
        seat_id = str(session.exec(select(Seat.id)).one())
    from lcadmin.settings import load_settings

    with session_scope(engine) as session:
        assert licences.reassign_seat(session, context(principal=admin), seat_id=seat_id, email="B@x.example",
                                      locale="fr", settings=load_settings({})) == "b@x.example"
    assert _pool(engine, admin) == (1, 1, 0)  # the full pool allowed it: the seat moved, none was added
    with read_scope(engine) as session:
        seats = {s.email: s.status for s in session.exec(select(Seat))}
    assert seats == {"a@x.example": "unassigned", "b@x.example": "invited"}
    with session_scope(engine) as session, pytest.raises(NotFound):  # the old seat has ended
        licences.reassign_seat(session, context(principal=admin), seat_id=seat_id, email="c@x.example",
                               locale="fr", settings=load_settings({}))


def test_another_companys_seats_and_pools_are_not_found_and_a_member_changes_nothing(engine):
    ids, admin = _world(engine, seats=2)
    _assign(engine, admin, ids["pool"], "a@x.example")
    _, other = _world(engine, seats=2)
    with read_scope(engine) as session:
        seat_id = str(session.exec(select(Seat.id)).one())
    from lcadmin.settings import load_settings

    settings = load_settings({})
    with pytest.raises(NotFound):
        _assign(engine, other, ids["pool"], "b@x.example")
    for call in (lambda s, c: licences.unassign_seat(s, c, seat_id=seat_id),
                 lambda s, c: licences.revoke_invitation(s, c, seat_id=seat_id),
                 lambda s, c: licences.resend_invitation(s, c, seat_id=seat_id, settings=settings),
                 lambda s, c: licences.reassign_seat(s, c, seat_id=seat_id, email="z@x.example", locale="fr",
                                                     settings=settings)):
        with session_scope(engine) as session, pytest.raises(NotFound):
            call(session, context(principal=other))
    for odd in ("-1", "²", "1 OR 1=1", None, [], 10**30):
        with session_scope(engine) as session, pytest.raises(NotFound):
            licences.unassign_seat(session, context(principal=admin), seat_id=odd)
    with read_scope(engine) as session:
        page = licences.list_holders(session, context(principal=other), settings=settings)
        company = session.get(Company, ids["company"])
    assert page.total == 0 and page.rows == ()
    with session_scope(engine) as session:
        member_user = factories.account(session, company=company, role=Role.BILLING_READER)
    member = factories.principal(member_user, company, Role.BILLING_READER)
    with pytest.raises(NotAllowed):
        _assign(engine, member, ids["pool"], "m@x.example")
    with session_scope(engine) as session, pytest.raises(NotAllowed):
        licences.unassign_seat(session, context(principal=member), seat_id=seat_id)
    assert _pool(engine, admin) == (2, 1, 1)


def test_the_holders_list_is_searched_filtered_sorted_and_paginated_in_sql(engine):
    ids, admin = _world(engine, seats=60)
    _assign(engine, admin, ids["pool"], ", ".join(f"p{n:02d}@x.example" for n in range(55)))
    from lcadmin.settings import load_settings

    settings = load_settings({})
    with read_scope(engine) as session:
        first = licences.list_holders(session, context(principal=admin), settings=settings)
        third = licences.list_holders(session, context(principal=admin), settings=settings, page=3)
        beyond = licences.list_holders(session, context(principal=admin), settings=settings, page=99)
        found = licences.list_holders(session, context(principal=admin), settings=settings, search="P07")
        active = licences.list_holders(session, context(principal=admin), settings=settings, status="active")
        backwards = licences.list_holders(session, context(principal=admin), settings=settings, descending=True)
    assert (first.total, first.pages, len(first.rows), first.rows[0].email) == (55, 3, 25, "p00@x.example")
    assert [r.email for r in third.rows] == [f"p{n:02d}@x.example" for n in range(50, 55)]
    assert beyond.page == 3  # past the end: the last page
    assert [r.email for r in found.rows] == ["p07@x.example"] and found.rows[0].status_label == "Invité"
    assert active.total == 0 and backwards.rows[0].email == "p54@x.example"


def _settings():
    from lcadmin.settings import load_settings

    return load_settings({})


def _preview(engine, who, pool, data: bytes):
    with read_scope(engine) as session:
        return licences.preview_csv(session, context(principal=who), pool=pool, data=data, settings=_settings())


def _apply(engine, who, pool, data: bytes):
    with session_scope(engine) as session:
        return licences.apply_csv(session, context(principal=who), pool=pool, data=data, settings=_settings())


def test_a_csv_is_previewed_line_by_line_and_applies_nothing_until_every_line_is_ok(engine):
    ids, admin = _world(engine, seats=4)
    _assign(engine, admin, ids["pool"], "held@x.example")
    data = (b"email,product\n"  # a header line
            b"a@x.example\n"
            b"not-an-address\n"
            b"A@x.example\n"  # the same person again
            b"held@x.example,SNA\n"
            b"b@x.example,XYZ\n"
            b"c@x.example\n"
            b"d@x.example\n")
    preview = _preview(engine, admin, ids["pool"], data)
    assert [(line.number, line.verdict) for line in preview.lines] == [
        (2, "ok"), (3, "invalid_email"), (4, "duplicate"), (5, "already_holds"), (6, "unknown_product"), (7, "ok"),
        (8, "ok")]
    assert (preview.ready, preview.problems) == (3, 4)
    with pytest.raises(InvalidInput) as refused:
        _apply(engine, admin, ids["pool"], data)
    assert refused.value.code == "csv_has_problems" and _pool(engine, admin) == (4, 1, 3)
    fixed = b"a@x.example\nc@x.example\nd@x.example\ne@x.example\n"  # one too many for the 3 seats left
    assert [line.verdict for line in _preview(engine, admin, ids["pool"], fixed).lines][-1] == "not_enough_seats"
    with pytest.raises(InvalidInput):
        _apply(engine, admin, ids["pool"], fixed)
    assert _apply(engine, admin, ids["pool"], b"a@x.example\nc@x.example\nd@x.example\n") == 3
    assert _pool(engine, admin) == (4, 4, 0)


@pytest.mark.parametrize(("data", "code"), [
    ("é@x.example\n".encode("latin-1"), "csv_encoding"),
    (b"a@x.example;SNA\nb@x.example;SNA\n", "csv_semicolons"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "csv_binary"),
    (b"", "csv_empty"),
    (b"email\n\n", "csv_empty"),
    (b"a@x.example,SNA,extra\n", "csv_columns"),
    ("".join(f"p{n}@x.example\n" for n in range(50_000)).encode(), "csv_too_long"),
    (b"x" * (2 * 1024 * 1024 + 1), "csv_too_large"),
])
def test_what_is_not_such_a_file_is_refused_with_its_reason_and_changes_nothing(engine, data, code):
    ids, admin = _world(engine, seats=3)
    for call in (_preview, _apply):
        with pytest.raises(InvalidInput) as refused:
            call(engine, admin, ids["pool"], data)
        assert (refused.value.code, refused.value.field) == (code, "csv")
    assert _pool(engine, admin) == (3, 0, 3)


def test_a_file_with_or_without_header_and_a_bom_reads_the_same(engine):
    ids, admin = _world(engine, seats=3)
    for data in (b"a@x.example\r\nb@x.example\r\n", "\ufeffAdresse e-mail\na@x.example\nb@x.example".encode()):
        assert [line.email for line in _preview(engine, admin, ids["pool"], data).lines] == ["a@x.example",
                                                                                           "b@x.example"]


def test_the_export_lists_the_holders_and_never_writes_a_formula(engine):
    ids, admin = _world(engine, seats=3)
    _assign(engine, admin, ids["pool"], "a@x.example, b@x.example")
    with session_scope(engine) as session:
        seat = session.exec(select(Seat).where(Seat.email == "a@x.example")).one()
        seat.full_name = "=HYPERLINK(\"http://evil\")"
        session.add(seat)
    with read_scope(engine) as session:
        name, data = licences.export_holders(session, context(principal=admin), settings=_settings())
    text = data.decode("utf-8-sig").splitlines()
    assert name == "licences.csv" and text[0] == "email,name,product,contract,status,assigned_on,last_active"
    assert text[1].startswith("a@x.example,\"'=HYPERLINK") and text[2].startswith("b@x.example,,SNA,")
    assert len(text) == 3


def test_the_csv_import_of_5000_lines_previews_and_applies_in_one_transaction(engine):
    ids, admin = _world(engine, seats=5000)
    data = "".join(f"person{n}@x.example\n" for n in range(5000)).encode()
    preview = _preview(engine, admin, ids["pool"], data)
    assert (preview.ready, preview.problems) == (5000, 0)
    assert _apply(engine, admin, ids["pool"], data) == 5000
    assert _pool(engine, admin) == (5000, 5000, 0)


def test_buying_seats_makes_a_prorated_add_on_order_whose_signature_puts_them_in_force(engine):
    from lcadmin.models import Invoice, SalesOrder
    from lcadmin.services import orders

    ids, admin = _world(engine, seats=3)
    december = NOW.replace(month=12, day=1)
    with read_scope(engine) as session:
        quote = licences.quote_seats(session, context(principal=admin, now=december), pool=ids["pool"], quantity="3",
                                     settings=_settings())
    assert (quote.quantity, quote.unit_price.replace("\u202f", " ").replace("\u00a0", " ")) == ("3", "25,48 €")
    for odd in ("0", "-2", "1001", "²", "3.5", "", None, True):
        with read_scope(engine) as session, pytest.raises(InvalidInput) as refused:
            licences.quote_seats(session, context(principal=admin, now=december), pool=ids["pool"], quantity=odd,
                                 settings=_settings())
        assert refused.value.code == "seats_quantity", odd
    with session_scope(engine) as session:
        number, may_sign = licences.order_seats(session, context(principal=admin, now=december), pool=ids["pool"],
                                                quantity=3, settings=_settings())
    assert may_sign and number.startswith("A2026")
    with read_scope(engine) as session:
        order = session.exec(select(SalesOrder).where(SalesOrder.number == number)).one()
        [line] = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    assert (order.status, order.add_on, order.start_date, order.end_date) == ("awaiting_signature", True,
                                                                             date(2026, 12, 1), date(2026, 12, 31))
    assert (line.quantity, line.unit_price_minor, line.amount_minor, order.subtotal_minor) == (3, 25_48, 76_44, 76_44)
    assert "Licences supplémentaires Sales Navigator Advanced" in line.description
    assert _pool(engine, admin, now=december) == (3, 0, 3)  # not before it is signed
    with session_scope(engine) as session:
        orders.sign_order(session, context(principal=admin, now=december), number=number, signer_name="Alex Test",
                          authorized=True, vendor=_settings().vendor)
    assert _pool(engine, admin, now=december) == (6, 0, 6)
    with read_scope(engine) as session:
        invoice = session.exec(select(Invoice).where(Invoice.order_id == order.id)).one()
    assert (invoice.status, invoice.total_minor, invoice.due_date) == ("open", order.total_minor,
                                                                       date(2026, 12, 31))  # 30 days by transfer


def test_someone_who_manages_licences_without_signing_prepares_and_the_signers_are_asked(engine):
    ids, admin = _world(engine, seats=3)
    with read_scope(engine) as session:
        company = session.get(Company, ids["company"])
    # A role that manages licences but does not sign orders, as the permission matrix may give one
    licence_admin = Principal(user_id=admin.user_id, email="licences@x.example", full_name="Lina Licences",
                              company_id=company.id, company_name=company.name, role="licence_admin")
    from unittest import mock

    from lcadmin.domain import permissions

    def can(self, permission):
        return permission is permissions.Permission.MANAGE_LICENCES

    with mock.patch.object(Principal, "can", can), session_scope(engine) as session:
        number, may_sign = licences.order_seats(session, context(principal=licence_admin), pool=ids["pool"],
                                                quantity=2, settings=_settings())
    assert not may_sign
    with read_scope(engine) as session:
        asked = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "seats_to_sign")).all()
    assert [m.subject for m in asked] == [f"Commande {number} à signer — {company.name}"]
    assert f"/admin/orders/{number}" in asked[0].text_body


def test_a_member_cannot_buy_and_a_product_not_on_the_contract_cannot_be_bought(engine):
    ids, admin = _world(engine, seats=3)
    with session_scope(engine) as session:
        company = session.get(Company, ids["company"])
        member = factories.principal(factories.account(session, company=company, role=Role.BILLING_READER), company,
                                     Role.BILLING_READER)
        session.add(Product(code="ZZZ", name_fr="Autre", name_en="Other"))
    with session_scope(engine) as session, pytest.raises(NotAllowed):
        licences.order_seats(session, context(principal=member), pool=ids["pool"], quantity=1, settings=_settings())
    with session_scope(engine) as session, pytest.raises(InvalidInput) as refused:
        licences.order_seats(session, context(principal=admin), pool=ids["pool"].replace("SNA", "ZZZ"), quantity=1,
                             settings=_settings())
    assert refused.value.code == "product_not_on_contract"
