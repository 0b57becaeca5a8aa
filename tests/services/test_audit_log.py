"""The activity log: only the company's events, newest first, a keyset page at a time; its
filters and search; every action worded in both languages; its CSV export; full admins only."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from lcadmin.domain.audit import AuditAction, AuditCategory, actions_in, category_of
from lcadmin.domain.permissions import Role
from lcadmin.domain.statuses import PaymentMethodKind, PaymentMethodStatus
from lcadmin.i18n import LOCALES, gettext
from lcadmin.models import AuditEvent, PaymentMethod
from lcadmin.services import audit_log
from lcadmin.services.audit import record_event
from lcadmin.services.audit_log import AuditFilters, export_events, list_events, parse_cursor, people, record_export
from lcadmin.services.errors import NotAllowed
from tests import factories
from tests.factories import NOW

PARIS = "Europe/Paris"


def _event(session, company, *, action=AuditAction.INVOICE_ISSUED, outcome="success", actor=None, email=None,
           subject=None, ip="203.0.113.7", at=NOW, detail=None):
    event = record_event(session, action=action, outcome=outcome, actor_user_id=actor.id if actor else None,
                         actor_email=email, company_id=company.id if company else None, ip=ip, subject=subject,
                         detail=detail, now=at)
    session.flush()
    return event


@pytest.fixture
def firm(session):
    """A company with its full admin (Hugo) and a billing admin (Bea), and another company."""
    company = factories.company(session, name="Flexis")
    hugo = factories.account(session, email="hugo@flexis.example", full_name="Hugo Bernard", company=company)
    bea = factories.account(session, email="bea@flexis.example", full_name="Béa Martin", company=company,
                            role=Role.BILLING_ADMIN)
    other = factories.company(session, name="Acme")
    paul = factories.account(session, email="paul@acme.example", full_name="Paul Durand", company=other)
    return company, hugo, bea, other, paul


def _ctx(user, company, role=Role.ADMIN, locale="fr"):
    return factories.context(principal=factories.principal(user, company, role), locale=locale)


def _all_pages(session, ctx, filters=AuditFilters(), zone=PARIS):
    pages, after = [], ""
    while True:
        page = list_events(session, ctx, filters=filters, zone=zone, after=after)
        pages.append(page)
        if not page.older:
            return pages
        after = page.older


def _keys(session, ctx, **filters):
    return [row.key for page in _all_pages(session, ctx, AuditFilters(**filters)) for row in page.rows]


def test_every_action_has_a_category_and_every_category_a_label():
    for action in AuditAction:
        assert isinstance(category_of(action), AuditCategory), action
    assert {category_of(a) for a in AuditAction} == set(AuditCategory)  # no category is empty
    assert category_of(AuditAction.INVOICE_PAID) is AuditCategory.BILLING
    assert category_of(AuditAction.SEAT_INVITED) is AuditCategory.LICENCES
    assert category_of(AuditAction.MEMBERSHIP_REVOKED) is AuditCategory.ADMINS
    assert category_of(AuditAction.SESSION_STARTED) is AuditCategory.SIGN_IN
    assert category_of(AuditAction.COMPANY_SWITCHED) is AuditCategory.SIGN_IN
    assert category_of(AuditAction.ACCESS_APPROVED) is AuditCategory.ACTIVATION
    assert category_of(AuditAction.AUDIT_LOG_EXPORTED) is AuditCategory.ADMINS
    assert sum(len(actions_in(c)) for c in AuditCategory) == len(AuditAction)
    with pytest.raises(KeyError):
        category_of("made_up.thing")
    for category in AuditCategory:
        for locale in LOCALES:
            assert gettext(f"auditlog.category.{category.value}", locale)


def test_only_the_companys_own_events_newest_first(session, firm):
    company, hugo, _, other, paul = firm
    _event(session, company, actor=hugo, subject="invoice:F1", at=NOW - timedelta(hours=2))
    _event(session, company, actor=hugo, subject="invoice:F2", at=NOW)
    _event(session, company, actor=hugo, subject="invoice:F3", at=NOW - timedelta(hours=1))
    _event(session, other, actor=paul, subject="invoice:F9", at=NOW)
    _event(session, None, email="hugo@flexis.example", action=AuditAction.ACCOUNT_SIGN_IN, at=NOW)  # no company
    page = list_events(session, _ctx(hugo, company), filters=AuditFilters(), zone=PARIS)
    assert [row.document for row in page.rows] == ["Facture F2", "Facture F3", "Facture F1"]
    assert page.older == ""
    theirs = list_events(session, _ctx(paul, other), filters=AuditFilters(), zone=PARIS)
    assert [row.document for row in theirs.rows] == ["Facture F9"]


def test_pages_of_fifty_never_skip_nor_repeat_events_of_the_same_instant(session, firm):
    company, hugo, *_ = firm
    # 130 events over only four instants: the id breaks every tie.
    ids = [_event(session, company, actor=hugo, at=NOW - timedelta(seconds=n % 4)).id for n in range(130)]
    pages = _all_pages(session, _ctx(hugo, company))
    assert [len(page.rows) for page in pages] == [50, 50, 30]
    seen = [int(row.key) for page in pages for row in page.rows]
    expected = [event.id for event in sorted(session.exec(select(AuditEvent)).all(),
                                             key=lambda e: (e.occurred_at, e.id), reverse=True)]
    assert seen == expected and sorted(seen) == sorted(ids)


def test_a_page_does_not_shift_when_newer_events_arrive(session, firm):
    company, hugo, *_ = firm
    for n in range(60):
        _event(session, company, actor=hugo, subject=f"invoice:F{n}", at=NOW - timedelta(minutes=n))
    ctx = _ctx(hugo, company)
    first = list_events(session, ctx, filters=AuditFilters(), zone=PARIS)
    for n in range(5):
        _event(session, company, actor=hugo, subject=f"invoice:NEW{n}", at=NOW + timedelta(minutes=1))
    second = list_events(session, ctx, filters=AuditFilters(), zone=PARIS, after=first.older)
    assert [row.document for row in second.rows] == [f"Facture F{n}" for n in range(50, 60)]


@pytest.mark.parametrize("cursor", ["", "nope", "2026-11-26T09:00:00|x", "2026-11-26T09:00:00|1",  # naive
                                    "2026-11-26T09:00:00+00:00|1|2", "x|1", "2026-11-26T09:00:00+00:00|١",
                                    "2026-11-26T09:00:00+00:00|" + "9" * 19, None, 42])
def test_a_cursor_is_read_strictly_and_anything_else_is_the_first_page(cursor):
    assert parse_cursor(cursor) is None


def test_a_cursor_round_trips():
    instant = datetime(2026, 11, 26, 9, 0, 0, 123456, tzinfo=UTC)
    assert parse_cursor(audit_log.format_cursor(instant, 42)) == (instant, 42)


def test_the_person_filter_knows_accounts_addresses_and_the_system(session, firm):
    company, hugo, bea, *_ = firm
    by_hugo = _event(session, company, actor=hugo, subject="invoice:F1")
    by_bea = _event(session, company, actor=bea, subject="invoice:F2")
    by_address = _event(session, company, action=AuditAction.ACCESS_PROOF, email="Alice@Flexis.example")
    by_app = _event(session, company, action=AuditAction.COLLECTION_ATTEMPTED, subject="invoice:F1", ip=None)
    ctx = _ctx(hugo, company)
    choices = people(session, ctx)
    assert [(c.value, c.label) for c in choices] == [
        ("alice@flexis.example", "alice@flexis.example"), ("bea@flexis.example", "Béa Martin (bea@flexis.example)"),
        ("hugo@flexis.example", "Hugo Bernard (hugo@flexis.example)"), ("system", "Système")]
    assert _keys(session, ctx, person="hugo@flexis.example") == [str(by_hugo.id)]
    assert _keys(session, ctx, person="bea@flexis.example") == [str(by_bea.id)]
    assert _keys(session, ctx, person="alice@flexis.example") == [str(by_address.id)]
    assert _keys(session, ctx, person="system") == [str(by_app.id)]
    assert _keys(session, ctx, person="paul@acme.example") == []
    rows = {row.key: row for row in list_events(session, ctx, filters=AuditFilters(), zone=PARIS).rows}
    assert (rows[str(by_hugo.id)].who, rows[str(by_hugo.id)].who_email) == ("Hugo Bernard", "hugo@flexis.example")
    assert (rows[str(by_address.id)].who, rows[str(by_address.id)].who_email) == ("Alice@Flexis.example", "")
    assert (rows[str(by_app.id)].who, rows[str(by_app.id)].ip) == ("Système", "")


def test_the_category_filter(session, firm):
    company, hugo, *_ = firm
    billing = _event(session, company, actor=hugo, action=AuditAction.PAYMENT_SUCCEEDED)
    seat = _event(session, company, actor=hugo, action=AuditAction.SEAT_INVITED)
    admin = _event(session, company, actor=hugo, action=AuditAction.MEMBERSHIP_GRANTED)
    session_started = _event(session, company, actor=hugo, action=AuditAction.SESSION_STARTED)
    activation = _event(session, company, action=AuditAction.ACCESS_COMPLETED, email="x@flexis.example")
    ctx = _ctx(hugo, company)
    expected = {"billing": billing, "licences": seat, "admins": admin, "sign_in": session_started,
                "activation": activation}
    for category, event in expected.items():
        assert _keys(session, ctx, category=category) == [str(event.id)], category
    assert _keys(session, ctx, category="operations") == []
    assert _keys(session, ctx, category="nonsense") == []  # an unknown category matches nothing
    assert len(_keys(session, ctx)) == 5


def test_the_period_is_read_in_the_viewers_zone_and_both_days_are_included(session, firm):
    company, hugo, *_ = firm
    late = _event(session, company, actor=hugo, at=datetime(2026, 11, 25, 23, 30, tzinfo=UTC))  # 00:30 on 26 in Paris
    first = _event(session, company, actor=hugo, at=datetime(2026, 11, 24, 23, 0, tzinfo=UTC))  # midnight 25, Paris
    last = _event(session, company, actor=hugo, at=datetime(2026, 11, 27, 22, 59, 59, tzinfo=UTC))  # 23:59:59 on 27
    after = _event(session, company, actor=hugo, at=datetime(2026, 11, 27, 23, 0, tzinfo=UTC))  # 28 in Paris
    ctx = _ctx(hugo, company)

    def keys(zone, **days):
        return {row.key for page in _all_pages(session, ctx, AuditFilters(**days), zone=zone) for row in page.rows}

    assert keys(PARIS, day_from=date(2026, 11, 26), day_to=date(2026, 11, 26)) == {str(late.id)}
    assert keys("UTC", day_from=date(2026, 11, 26), day_to=date(2026, 11, 26)) == set()
    assert keys(PARIS, day_from=date(2026, 11, 25), day_to=date(2026, 11, 27)) == {str(first.id), str(late.id),
                                                                                  str(last.id)}
    assert keys(PARIS, day_from=date(2026, 11, 28)) == {str(after.id)}
    assert keys(PARIS, day_to=date(2026, 11, 24)) == set()


def test_times_are_shown_in_the_zone_given(session, firm):
    company, hugo, *_ = firm
    _event(session, company, actor=hugo, at=datetime(2026, 11, 25, 23, 30, 5, tzinfo=UTC))
    ctx = _ctx(hugo, company)
    assert list_events(session, ctx, filters=AuditFilters(), zone=PARIS).rows[0].when == "26 nov. 2026, 00:30:05"
    assert list_events(session, ctx, filters=AuditFilters(), zone="America/New_York").rows[0].when == (
        "25 nov. 2026, 18:30:05")
    english = _ctx(hugo, company, locale="en")
    assert list_events(session, english, filters=AuditFilters(), zone="Asia/Tokyo").rows[0].when == (
        "26 Nov 2026, 08:30:05")


def test_search_looks_in_the_document_the_address_and_the_ip_and_takes_wildcards_literally(session, firm):
    company, hugo, *_ = firm
    invoice = _event(session, company, actor=hugo, subject="invoice:F2026-00001", ip="198.51.100.4")
    by_address = _event(session, company, email="compta_externe@cabinet.example", ip="2001:db8::1")
    percent = _event(session, company, actor=hugo, subject="order:100%_SURE", ip="192.0.2.1")
    ctx = _ctx(hugo, company)
    assert _keys(session, ctx, search="f2026-0000") == [str(invoice.id)]  # any case
    assert _keys(session, ctx, search="HUGO@") == [str(percent.id), str(invoice.id)]  # the account's address
    assert _keys(session, ctx, search="cabinet") == [str(by_address.id)]
    assert _keys(session, ctx, search="2001:db8") == [str(by_address.id)]
    assert _keys(session, ctx, search="198.51.100") == [str(invoice.id)]
    assert _keys(session, ctx, search="%") == [str(percent.id)]
    assert _keys(session, ctx, search="_") == [str(percent.id), str(by_address.id)]
    assert _keys(session, ctx, search="100%_") == [str(percent.id)]
    assert _keys(session, ctx, search="F2026%1") == []
    assert _keys(session, ctx, search="compta%externe") == []
    assert _keys(session, ctx, search="Hugo Bernard") == []  # names are found with the person filter


@pytest.mark.parametrize("locale", LOCALES)
def test_every_action_is_worded_in_the_viewers_language(session, firm, locale):
    company, hugo, *_ = firm
    for n, action in enumerate(AuditAction):
        _event(session, company, actor=hugo, action=action, at=NOW - timedelta(seconds=n))
    ctx = _ctx(hugo, company, locale=locale)
    rows = [row for page in _all_pages(session, ctx) for row in page.rows]
    assert len(rows) == len(AuditAction)
    for row, action in zip(rows, AuditAction, strict=True):
        assert row.what == gettext(f"audit.{action.value}", locale) and row.what != action.value
        assert row.category == gettext(f"auditlog.category.{category_of(action).value}", locale)
    assert {row.outcome_label for row in rows} == {"Réussi" if locale == "fr" else "Succeeded"}


def test_outcomes_are_translated_with_their_tone(session, firm):
    company, hugo, *_ = firm
    for n, outcome in enumerate(("success", "denied", "failure")):
        _event(session, company, actor=hugo, outcome=outcome, at=NOW - timedelta(seconds=n))
    for locale, labels in (("fr", ["Réussi", "Refusé", "Échoué"]), ("en", ["Succeeded", "Denied", "Failed"])):
        rows = list_events(session, _ctx(hugo, company, locale=locale), filters=AuditFilters(), zone=PARIS).rows
        assert [(r.outcome, r.outcome_label, r.outcome_tone) for r in rows] == list(zip(
            ("success", "denied", "failure"), labels, ("success", "warning", "danger"), strict=True))


def test_documents_are_named_from_the_companys_own_records(session, firm):
    company, hugo, bea, other, paul = firm
    invoice = factories.invoice(session, company)
    credit = factories.invoice(session, company, credits=invoice)
    theirs = factories.invoice(session, other)
    order = factories.order(session, company, number="A2026000042")
    card = PaymentMethod(company_id=company.id, kind=PaymentMethodKind.CARD.value,
                         status=PaymentMethodStatus.ACTIVE.value, provider_method_id="pm_test_1", holder_name="Hugo",
                         card_brand="visa", card_last4="4242", exp_month=12, exp_year=2030)
    session.add(card)
    session.flush()
    subjects = {
        f"invoice:{invoice.number}": f"Facture {invoice.number}",
        f"invoice:{credit.number}": f"Avoir {credit.number}",
        f"invoice:{invoice.id}": f"Facture {invoice.number}",  # a payment's claim names the id
        f"invoice:{theirs.id}": f"Facture {theirs.id}",  # another company's: not looked up
        f"order:{order.number}": "Commande A2026000042",
        f"order:{order.id}": "Commande A2026000042",
        f"payment_method:{card.id}": "Visa •••• 4242",
        "payment_method:999999": "Mode de paiement",
        "transfer": "Virement bancaire",
        "card": "Carte bancaire",
        "mandate:RUM-123": "Mandat SEPA RUM-123",
        "contract:CTR-FLX": "Contrat CTR-FLX",
        f"user:{bea.id}": "Béa Martin (bea@flexis.example)",
        f"user:{paul.id}": f"Compte n° {paul.id}",  # not of this company: not named
        "audit_log": "Journal d'activité",
        "something:else": "something:else",
    }
    for n, subject in enumerate(subjects):
        _event(session, company, actor=hugo, subject=subject, at=NOW - timedelta(seconds=n),
               detail={"note": "kept-private"})
    mine = AuditFilters(person=hugo.email)  # issuing the invoices went on record too
    rows = list_events(session, _ctx(hugo, company), filters=mine, zone=PARIS).rows
    assert [row.document.replace("\u2019", "'") for row in rows] == list(subjects.values())
    assert not any("kept-private" in str(row) for row in rows)  # an event's details are never shown


@pytest.mark.parametrize("role", [Role.BILLING_ADMIN, Role.BILLING_READER, Role.LICENCE_ADMIN, None])
def test_only_full_admins_read_the_log(session, firm, role):
    company, _, bea, *_ = firm
    _event(session, company, actor=bea)
    ctx = _ctx(bea, company, role=role)
    calls = (lambda: list_events(session, ctx, filters=AuditFilters(), zone=PARIS), lambda: people(session, ctx),
             lambda: export_events(session, ctx, filters=AuditFilters(), zone=PARIS),
             lambda: record_export(session, ctx, rows=1, capped=False, filtered=False))
    for call in calls:
        with pytest.raises(NotAllowed) as refused:
            call()
        assert refused.value.code == "forbidden"


def test_without_a_company_the_log_is_refused(session, firm):
    _, hugo, *_ = firm
    with pytest.raises(NotAllowed, match="forbidden"):
        list_events(session, _ctx(hugo, None), filters=AuditFilters(), zone=PARIS)


def _csv(file) -> list[list[str]]:
    assert file.data.startswith(b"\xef\xbb\xbf")  # the BOM a spreadsheet needs to read UTF-8
    text = file.data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";" if ";" in text.splitlines()[0] else ","))


def test_the_export_holds_every_filtered_event_in_the_viewers_language(session, firm):
    company, hugo, *_ = firm
    for n in range(120):
        _event(session, company, actor=hugo, action=AuditAction.INVOICE_PAID, subject=f"invoice:F{n:03d}",
               at=NOW - timedelta(minutes=n))
    _event(session, company, actor=hugo, action=AuditAction.SEAT_INVITED, at=NOW + timedelta(minutes=1))
    ctx = _ctx(hugo, company)
    file = export_events(session, ctx, filters=AuditFilters(category="billing"), zone=PARIS)
    assert (file.rows, file.capped, file.note) == (120, False, "")
    assert file.filename == "journal-activite-2026-11-26.csv"
    rows = _csv(file)
    assert b";" in file.data.splitlines()[0]  # French spreadsheets split on semicolons
    assert rows[0] == ["Date et heure (Europe/Paris)", "Personne", "E-mail", "Catégorie", "Action", "Document",
                       "Adresse IP", "Résultat"]
    assert rows[1] == ["2026-11-26 10:00:00", "Hugo Bernard", "hugo@flexis.example", "Facturation", "Facture payée",
                       "Facture F000", "203.0.113.7", "Réussi"]
    assert len(rows) == 121 and rows[-1][5] == "Facture F119"

    english = export_events(session, _ctx(hugo, company, locale="en"), filters=AuditFilters(), zone="UTC")
    rows = _csv(english)
    assert english.filename == "activity-log-2026-11-26.csv" and b"," in english.data.splitlines()[0]
    assert rows[0][0] == "Date and time (UTC)" and rows[0][-1] == "Outcome"
    assert rows[1][:5] == ["2026-11-26 09:01:00", "Hugo Bernard", "hugo@flexis.example", "Licences",
                           "Licence assigned (invitation sent)"]
    assert len(rows) == 122


def test_the_export_cannot_run_formulas_in_a_spreadsheet(session, firm):
    company, *_ = firm
    plotter = factories.account(session, email="plot@flexis.example", full_name="=HYPERLINK(\"http://x\")",
                                company=company)
    _event(session, company, actor=plotter, subject="@SUM(A1)", ip="+33")
    _event(session, company, email="-2+3@flexis.example", subject="order:=1+1", at=NOW - timedelta(seconds=1))
    hugo = factories.account(session, email="h2@flexis.example", company=company)
    rows = _csv(export_events(session, _ctx(hugo, company), filters=AuditFilters(), zone=PARIS))
    assert rows[1][1] == "'=HYPERLINK(\"http://x\")" and rows[1][5] == "'@SUM(A1)" and rows[1][6] == "'+33"
    assert rows[2][2] == "'-2+3@flexis.example" and rows[2][5] == "Commande =1+1"
    for row in rows[1:]:
        assert all(cell[:1] not in "=+-@" for cell in row if cell)


def test_a_big_export_is_cut_at_its_cap_and_says_so(session, firm):
    company, hugo, *_ = firm
    for n in range(12):
        _event(session, company, actor=hugo, at=NOW - timedelta(seconds=n))
    file = export_events(session, _ctx(hugo, company), filters=AuditFilters(), zone=PARIS, cap=10)
    assert (file.rows, file.capped, len(_csv(file))) == (10, True, 11)
    assert "aux 10 événements les plus récents" in file.note
    exact = export_events(session, _ctx(hugo, company), filters=AuditFilters(), zone=PARIS, cap=12)
    assert (exact.rows, exact.capped) == (12, False)


def test_an_export_goes_on_record_and_shows_in_the_log(session, firm):
    company, hugo, *_ = firm
    before = session.exec(select(AuditEvent)).all()
    record_export(session, _ctx(hugo, company), rows=3, capped=False, filtered=True)
    session.flush()
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "audit_log.exported")).one()
    assert (event.company_id, event.actor_user_id, event.ip, event.detail) == (
        company.id, hugo.id, "203.0.113.7", {"rows": 3, "capped": False, "filtered": True})
    assert len(session.exec(select(AuditEvent)).all()) == len(before) + 1
    row = list_events(session, _ctx(hugo, company, locale="en"), filters=AuditFilters(), zone=PARIS).rows[0]
    assert (row.what, row.document, row.category) == ("Activity log exported", "Activity log", "Admins and access")


@pytest.mark.postgres
def test_the_same_queries_on_postgresql(pg_engine):
    """Case-insensitive search and person filter, escaped wildcards, keyset pages on ties, the
    people's list and the export, where PostgreSQL is stricter than SQLite (LIKE is
    case-sensitive there, GROUP BY must match the selected expression)."""
    from lcadmin import migrations
    from lcadmin.db import session_scope

    migrations.upgrade(pg_engine)
    with session_scope(pg_engine) as session:
        company = factories.company(session, name="Flexis")
        hugo = factories.account(session, email="hugo@flexis.example", full_name="Hugo Bernard", company=company)
        for n in range(55):
            _event(session, company, actor=hugo, subject=f"invoice:F{n}%_", at=NOW - timedelta(seconds=n % 3))
        _event(session, company, email="Alice@Flexis.example", action=AuditAction.ACCESS_PROOF)
        ctx = _ctx(hugo, company)
        assert len(_keys(session, ctx)) == 56 and len(set(_keys(session, ctx))) == 56
        assert len(_keys(session, ctx, search="HUGO@FLEXIS")) == 55
        assert len(_keys(session, ctx, search="f1%_")) == 1 and _keys(session, ctx, search="F1%x") == []
        assert len(_keys(session, ctx, person="alice@flexis.example")) == 1
        assert [c.value for c in people(session, ctx)] == ["alice@flexis.example", "hugo@flexis.example"]
        assert export_events(session, ctx, filters=AuditFilters(category="billing"), zone=PARIS).rows == 55
