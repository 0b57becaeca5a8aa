"""Automatic collection: open invoices of contracts paid by a saved card or SEPA mandate are
collected on their due date, off session, once, whatever the number of processes; failures are
tried again on the retry days; a SEPA debit is announced before it is taken."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
from facturx import xml_check_xsd
from pypdf import PdfReader
from sqlmodel import select

from lcadmin import migrations
from lcadmin.db import create_engine, read_scope, session_scope
from lcadmin.domain.cards import CardInput
from lcadmin.domain.permissions import Role
from lcadmin.models import (
    AuditEvent,
    Collection,
    Contact,
    Contract,
    Invoice,
    OutboxMessage,
    Payment,
    PaymentMethod,
    SandboxIntent,
    SandboxPaymentMethod,
)
from lcadmin.payments.sandbox import SandboxProvider
from lcadmin.pdf.facturx import build_cii_xml
from lcadmin.pdf.invoice import render_invoice_pdf
from lcadmin.services import admin_center, payment_methods, payments
from lcadmin.services.context import system
from lcadmin.services.invoice_documents import build_document
from tests import factories
from tests.conftest import postgres_url
from tests.factories import context
from tests.helpers import race

ISSUED = date(2026, 11, 26)
DUE = date(2026, 12, 26)  # 30 days after the issue date


class Clock:
    """The sandbox bank's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = factories.NOW

    def __call__(self) -> datetime:
        return self.now


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _world(engine, settings, *, card: str | None = "4242 4242 4242 4242", iban: str | None = None,
           bank_delay: timedelta = timedelta(days=2)):
    """A company with one contract, an open invoice under it due on DUE, and the contract paid by
    a saved card (``card``) or a SEPA mandate (``iban``)."""
    clock = Clock()
    provider = SandboxProvider(engine, today=ISSUED, settle_after=bank_delay, clock=clock)
    with session_scope(engine) as session:
        company = factories.company(session)
        user = factories.account(session, company=company, role=Role.BILLING_ADMIN)
        contract, order = factories.contracted_order(session, company)
        invoice = factories.invoice(session, company, sales_order=order, issue_date=ISSUED, terms_days=30)
        principal = factories.principal(user, company, Role.BILLING_ADMIN)
        ids = {"company": company.id, "invoice": invoice.id, "number": invoice.number, "contract": contract.number,
               "total": invoice.total_minor,
               "billing": session.exec(select(Contact.email).where(Contact.company_id == company.id,
                                                                   Contact.role == "billing")).one()}
    ctx = context(principal=principal)
    with session_scope(engine) as session:
        if card:
            outcome = payment_methods.start_card_setup(
                session, ctx, form=payment_methods.CardSetupInput("Alex Test", CardInput(card, "12/28", "123"), True),
                idempotency_key=uuid.uuid4().hex, provider=provider, settings=settings)
            if outcome.status == "requires_action":
                setup = outcome.action_url.rsplit("/", 1)[1]
                payment_methods.complete_card_setup(session, ctx, setup_id=setup, approved=True, provider=provider,
                                                    settings=settings)
        else:
            payment_methods.sign_mandate(session, ctx, form=payment_methods.MandateInput(
                "Alex Test", "1 rue du Test", "75001", "Paris", iban, "", "Alex Test", True, True),
                provider=provider, settings=settings)
    return ids, provider, clock, principal


def _round(engine, provider, settings, day: date, clock: Clock | None = None) -> int:
    now = _at(day)
    if clock:
        clock.now = now
    with session_scope(engine) as session:
        payment_methods.schedule_collections(session, system(now), settings=settings)
        return payment_methods.collect_due(session, system(now), provider=provider, settings=settings)


def _collection(engine, invoice_id) -> Collection:
    with read_scope(engine) as session:
        return session.exec(select(Collection).where(Collection.invoice_id == invoice_id)).one()


def _invoice(engine, invoice_id) -> Invoice:
    with read_scope(engine) as session:
        return session.get(Invoice, invoice_id)


def _payments(engine, invoice_id) -> list[Payment]:
    with read_scope(engine) as session:
        return list(session.exec(select(Payment).where(Payment.invoice_id == invoice_id).order_by(Payment.id)))


def _mails(engine, kind: str) -> list[OutboxMessage]:
    with read_scope(engine) as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def test_a_card_collects_an_open_invoice_on_its_due_date_with_a_receipt(engine, settings):
    ids, provider, _clock, _ = _world(engine, settings)
    assert _round(engine, provider, settings, ISSUED) == 0
    collection = _collection(engine, ids["invoice"])
    assert (collection.status, collection.next_attempt_on) == ("scheduled", DUE)
    assert _round(engine, provider, settings, DUE - timedelta(days=1)) == 0  # not before its due date
    assert _payments(engine, ids["invoice"]) == []
    assert _round(engine, provider, settings, DUE) == 1
    [payment] = _payments(engine, ids["invoice"])
    assert (payment.status, payment.amount_minor, payment.created_by) == ("succeeded", ids["total"], None)
    assert payment.idempotency_key == f"collect:{ids['invoice']}:1" and payment.receipt_number.startswith("R2026-")
    assert _invoice(engine, ids["invoice"]).status == "paid"
    assert _collection(engine, ids["invoice"]).status == "succeeded"
    assert [m.to_address for m in _mails(engine, "receipt")] == [ids["billing"]]
    assert _round(engine, provider, settings, DUE + timedelta(days=3)) == 0  # nothing more, ever
    assert len(_payments(engine, ids["invoice"])) == 1
    with read_scope(engine) as session:
        actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.subject == f"invoice:{ids['number']}"))]
    assert "collection.attempted" in actions and "collection.succeeded" in actions and "invoice.paid" in actions


def _parallel_collect(engine_url, settings, ids, provider, day):
    def attempt() -> str:
        worker = create_engine(engine_url)
        try:
            with session_scope(worker) as session:
                return str(payment_methods.collect_due(session, system(_at(day)), provider=provider,
                                                       settings=settings))
        finally:
            worker.dispose()

    return race(4, attempt)


def test_four_workers_collecting_at_once_charge_the_invoice_once_on_sqlite(engine, settings, db_path):
    ids, provider, _, _ = _world(engine, settings)
    _round(engine, provider, settings, ISSUED)
    results = _parallel_collect(f"sqlite:///{db_path}", settings, ids, provider, DUE)
    assert results == ["0", "0", "0", "1"]
    with read_scope(engine) as session:
        charged = session.exec(select(SandboxIntent).where(SandboxIntent.status == "succeeded")).all()
    assert len(charged) == 1 and len(_payments(engine, ids["invoice"])) == 1
    assert _invoice(engine, ids["invoice"]).status == "paid"


def test_four_workers_collecting_at_once_charge_the_invoice_once_on_postgresql(pg_schema, settings):
    url = postgres_url(pg_schema)
    engine = create_engine(url)
    try:
        migrations.upgrade(engine)
        ids, provider, _, _ = _world(engine, settings)
        _round(engine, provider, settings, ISSUED)
        results = _parallel_collect(url, settings, ids, provider, DUE)
        assert results == ["0", "0", "0", "1"]
        with read_scope(engine) as session:
            charged = session.exec(select(SandboxIntent).where(SandboxIntent.status == "succeeded")).all()
        assert len(charged) == 1 and len(_payments(engine, ids["invoice"])) == 1
    finally:
        engine.dispose()


def test_scheduling_twice_or_from_several_workers_makes_one_collection(engine, settings, db_path):
    _ids, _provider, _, _ = _world(engine, settings)

    def schedule() -> str:
        worker = create_engine(f"sqlite:///{db_path}")
        try:
            with session_scope(worker) as session:
                return str(payment_methods.schedule_collections(session, system(_at(ISSUED)), settings=settings))
        finally:
            worker.dispose()

    assert race(3, schedule) == ["0", "0", "1"]
    with read_scope(engine) as session:
        assert len(session.exec(select(Collection)).all()) == 1


def test_a_sepa_debit_is_announced_then_processing_then_paid_when_the_bank_settles(engine, settings):
    ids, provider, clock, principal = _world(engine, settings, card=None, iban="FR1420041010050500013M02606")
    _round(engine, provider, settings, DUE - timedelta(days=20), clock)
    collection = _collection(engine, ids["invoice"])
    assert collection.next_attempt_on == DUE  # announced 20 days ahead: debited on the due date
    [notice, *_] = _mails(engine, "debit_notice")
    assert "26 décembre 2026" in notice.text_body and "LCA-" in notice.text_body and "FR72ZZZ123456" in notice.text_body
    assert _round(engine, provider, settings, DUE, clock) == 1
    [payment] = _payments(engine, ids["invoice"])
    assert (payment.status, payment.method_kind, payment.card_last4) == ("processing", "sepa_debit", "2606")
    with read_scope(engine) as session:
        [row] = [r for r in admin_center.list_invoices(session, context(principal=principal, now=_at(DUE)),
                                                       zone="Europe/Paris") if r.number == ids["number"]]
    assert (row.status_label, row.can_pay) == ("Prélèvement en cours", False)  # nothing else may charge it now
    _round(engine, provider, settings, DUE + timedelta(days=1), clock)  # the bank has not answered yet
    assert _invoice(engine, ids["invoice"]).status == "open"
    _round(engine, provider, settings, DUE + timedelta(days=3), clock)
    assert _payments(engine, ids["invoice"])[0].status == "succeeded"
    assert _invoice(engine, ids["invoice"]).status == "paid" and _collection(engine, ids["invoice"]).status == "succeeded"
    assert len(_mails(engine, "receipt")) == 1
    # The paid invoice says how: "par prélèvement SEPA", and a direct debit (59) in its Factur-X XML.
    with read_scope(engine) as session:
        document = build_document(session, session.get(Invoice, ids["invoice"]), settings.vendor)
    assert document.paid_by == "sepa_debit"
    assert "par prélèvement SEPA" in " ".join(PdfReader(BytesIO(render_invoice_pdf(document, "fr"))).pages[0]
                                               .extract_text().split())
    xml = build_cii_xml(document)
    assert b"<ram:TypeCode>59</ram:TypeCode>" in xml and xml_check_xsd(xml, flavor="factur-x", level="en16931")


def test_a_sepa_debit_invoiced_late_is_taken_no_earlier_than_the_notice_allows(engine, settings):
    ids, provider, clock, _ = _world(engine, settings, card=None, iban="FR1420041010050500013M02606")
    _round(engine, provider, settings, DUE - timedelta(days=3), clock)
    assert _collection(engine, ids["invoice"]).next_attempt_on == DUE - timedelta(days=3) + timedelta(days=14)
    assert _round(engine, provider, settings, DUE, clock) == 0


def test_a_returned_sepa_debit_is_retried_on_days_3_5_7_then_the_invoice_stays_open_with_a_banner(engine, settings):
    ids, provider, clock, principal = _world(engine, settings, card=None, iban="FR88300040000100000AM040013",
                                             bank_delay=timedelta(days=1))
    _round(engine, provider, settings, DUE - timedelta(days=20), clock)
    day = DUE
    for attempt, retry in enumerate((3, 5, 7, None), start=1):
        assert _round(engine, provider, settings, day, clock) == 1, attempt
        _round(engine, provider, settings, day + timedelta(days=1), clock)  # the bank returns it: AM04
        payment = _payments(engine, ids["invoice"])[-1]
        assert (payment.status, payment.failure_code) == ("failed", "AM04")
        collection = _collection(engine, ids["invoice"])
        if retry is None:
            assert collection.status == "failed"
        else:
            assert (collection.status, collection.next_attempt_on) == ("scheduled", DUE + timedelta(days=retry))
            day = DUE + timedelta(days=retry)
    failed = _mails(engine, "collection_failed")
    assert len(failed) == 4 * 2  # one per attempt, to the billing contact and to the billing admin
    assert "Provision insuffisante (code SEPA AM04)" in failed[-1].text_body
    assert "dernière tentative" in failed[-1].text_body
    assert len(_payments(engine, ids["invoice"])) == 4 and _invoice(engine, ids["invoice"]).status == "open"
    with read_scope(engine) as session:
        detail = admin_center.invoice_detail(session, context(principal=principal, now=_at(DUE + timedelta(days=10))),
                                             ids["number"], vendor=settings.vendor)
    assert detail.collection_tone == "danger" and "après 4 tentatives" in detail.collection_note and detail.can_pay


def test_a_card_asking_authentication_off_session_waits_for_the_holder_then_is_paid(engine, settings):
    ids, provider, _clock, principal = _world(engine, settings, card="4000 0027 6000 3184")
    _round(engine, provider, settings, ISSUED)
    assert _round(engine, provider, settings, DUE) == 1
    [payment] = _payments(engine, ids["invoice"])
    assert payment.status == "requires_action" and _collection(engine, ids["invoice"]).status == "action_required"
    [asked, *_] = _mails(engine, "collection_action")
    assert f"/payments/authenticate/{payment.provider_intent_id}" in asked.text_body
    with read_scope(engine) as session:
        [row] = [r for r in admin_center.list_invoices(session, context(principal=principal, now=_at(DUE)),
                                                       zone="Europe/Paris") if r.number == ids["number"]]
    assert row.status_label == "Action requise"
    # The holder signs in and confirms on the bank's page.
    with session_scope(engine) as session:
        outcome = payments.complete_authentication(session, context(principal=principal, now=_at(DUE, 10)),
                                                   intent_id=payment.provider_intent_id, approved=True,
                                                   provider=provider, vendor=settings.vendor)
    assert outcome.status.value == "succeeded"
    _round(engine, provider, settings, DUE + timedelta(days=1))
    assert _collection(engine, ids["invoice"]).status == "succeeded"
    assert _invoice(engine, ids["invoice"]).status == "paid" and len(_payments(engine, ids["invoice"])) == 1


def test_an_unanswered_authentication_is_retried_on_the_next_retry_day(engine, settings):
    ids, provider, _, _ = _world(engine, settings, card="4000 0027 6000 3184")
    _round(engine, provider, settings, ISSUED)
    _round(engine, provider, settings, DUE)
    _round(engine, provider, settings, DUE + timedelta(days=2))  # still waiting for the holder
    assert _collection(engine, ids["invoice"]).status == "action_required"
    _round(engine, provider, settings, DUE + timedelta(days=3))  # the retry day: this one ends, a new one asks
    first, second = _payments(engine, ids["invoice"])
    assert (first.status, first.failure_code) == ("failed", "authentication_required")
    assert second.status == "requires_action" and second.idempotency_key.endswith(":2")
    with read_scope(engine) as session:
        canceled = session.exec(select(SandboxIntent).where(SandboxIntent.intent_id == first.provider_intent_id)).one()
    assert canceled.status == "canceled"  # it can never charge afterwards


def test_a_contract_switched_to_bank_transfer_is_no_longer_collected(engine, settings):
    ids, provider, _, principal = _world(engine, settings)
    _round(engine, provider, settings, ISSUED)
    with session_scope(engine) as session:
        payment_methods.choose_for_contract(session, context(principal=principal), contract_number=ids["contract"],
                                            choice=payment_methods.TRANSFER, settings=settings)
    assert _round(engine, provider, settings, DUE) == 0
    assert _collection(engine, ids["invoice"]).status == "canceled" and _payments(engine, ids["invoice"]) == []
    assert _invoice(engine, ids["invoice"]).status == "open"


def test_an_invoice_paid_online_before_its_due_date_is_not_collected(engine, settings):
    ids, provider, _, principal = _world(engine, settings)
    _round(engine, provider, settings, ISSUED)
    with session_scope(engine) as session:
        payments.pay(session, context(principal=principal), kind="invoice", number=ids["number"],
                     idempotency_key=uuid.uuid4().hex, card=CardInput("4242 4242 4242 4242", "12/28", "123"),
                     provider=provider, vendor=settings.vendor)
    assert _invoice(engine, ids["invoice"]).status == "paid"
    assert _round(engine, provider, settings, DUE) == 0
    assert _collection(engine, ids["invoice"]).status == "canceled" and len(_payments(engine, ids["invoice"])) == 1


def test_a_declined_card_is_retried_then_a_new_card_on_the_contract_is_used(engine, settings):
    ids, provider, _, principal = _world(engine, settings)
    _round(engine, provider, settings, ISSUED)
    with session_scope(engine) as session:  # the card now declines (the bank blocked it)
        for method in session.exec(select(SandboxPaymentMethod)):
            method.behaviour = "card_declined"
            session.add(method)
    assert _round(engine, provider, settings, DUE) == 1
    assert _collection(engine, ids["invoice"]).next_attempt_on == DUE + timedelta(days=3)
    [failed, *_] = _mails(engine, "collection_failed")
    assert f"/admin/invoices/{ids['number']}" in failed.text_body and "27 décembre" not in failed.text_body
    with session_scope(engine) as session:  # a new card, for every contract
        payment_methods.start_card_setup(
            session, context(principal=principal),
            form=payment_methods.CardSetupInput("Alex Test", CardInput("4000 0025 0000 3155", "12/29", "123"), True),
            idempotency_key=uuid.uuid4().hex, provider=provider, settings=settings)
    with read_scope(engine) as session:
        pending = session.exec(select(PaymentMethod).where(PaymentMethod.card_last4 == "3155")).one()
    with session_scope(engine) as session:
        payment_methods.complete_card_setup(session, context(principal=principal), setup_id=pending.setup_intent_id,
                                            approved=True, provider=provider, settings=settings)
    assert _round(engine, provider, settings, DUE + timedelta(days=3)) == 1
    first, second = _payments(engine, ids["invoice"])
    assert (first.status, second.status, second.card_last4) == ("failed", "succeeded", "3155")
    assert _invoice(engine, ids["invoice"]).status == "paid"


@pytest.mark.parametrize("setting", [(), (2,)])
def test_the_retry_days_are_a_setting(engine, setting):
    from lcadmin.settings import load_settings

    settings = load_settings({"LCADMIN_COLLECTION_RETRY_DAYS": ",".join(map(str, setting)) or "none"})
    ids, provider, _, _ = _world(engine, settings)
    _round(engine, provider, settings, ISSUED)
    with session_scope(engine) as session:
        for method in session.exec(select(SandboxPaymentMethod)):
            method.behaviour = "insufficient_funds"
            session.add(method)
    _round(engine, provider, settings, DUE)
    collection = _collection(engine, ids["invoice"])
    if setting:
        assert (collection.status, collection.next_attempt_on) == ("scheduled", DUE + timedelta(days=2))
    else:
        assert collection.status == "failed"


def test_a_contract_switched_to_a_mandate_is_announced_again_and_debited_no_earlier(engine, settings):
    ids, provider, clock, principal = _world(engine, settings)
    _round(engine, provider, settings, ISSUED)
    switched_on = DUE - timedelta(days=5)
    with session_scope(engine) as session:  # a mandate signed for every contract, five days before the due date
        payment_methods.sign_mandate(session, context(principal=principal, now=_at(switched_on)),
                                     form=payment_methods.MandateInput(
                                         "Alex Test", "1 rue du Test", "75001", "Paris",
                                         "FR1420041010050500013M02606", "", "Alex Test", True, True),
                                     provider=provider, settings=settings)
    assert _collection(engine, ids["invoice"]).status == "canceled"  # the card's collection no longer stands
    _round(engine, provider, settings, switched_on, clock)
    collection = _collection(engine, ids["invoice"])
    assert (collection.status, collection.next_attempt_on) == ("scheduled", switched_on + timedelta(days=14))
    assert len(_mails(engine, "debit_notice")) == 2  # announced again: to the billing contact and the admin
    assert _round(engine, provider, settings, DUE, clock) == 0  # not on the due date: the notice came too late
    assert _round(engine, provider, settings, switched_on + timedelta(days=14), clock) == 1
    assert _payments(engine, ids["invoice"])[0].method_kind == "sepa_debit"


def test_a_card_saved_with_four_clicks_at_once_is_saved_once_on_postgresql(pg_schema, settings):
    url = postgres_url(pg_schema)
    engine = create_engine(url)
    try:
        migrations.upgrade(engine)
        with session_scope(engine) as session:
            company = factories.company(session)
            principal = factories.principal(factories.account(session, company=company, role=Role.BILLING_ADMIN),
                                            company, Role.BILLING_ADMIN)
        provider, key = SandboxProvider(engine, today=ISSUED), uuid.uuid4().hex

        def save() -> str:
            worker = create_engine(url)
            try:
                with session_scope(worker) as session:
                    return payment_methods.start_card_setup(
                        session, context(principal=principal), idempotency_key=key, provider=provider,
                        settings=settings, form=payment_methods.CardSetupInput(
                            "Alex Test", CardInput("4242 4242 4242 4242", "12/28", "123"), False)).status
            finally:
                worker.dispose()

        assert race(4, save) == ["active"] * 4
        with read_scope(engine) as session:
            assert len(session.exec(select(PaymentMethod)).all()) == 1
    finally:
        engine.dispose()


def test_a_removal_and_a_choice_of_the_same_card_at_once_never_leave_a_contract_on_a_removed_card(pg_schema,
                                                                                                   settings):
    url = postgres_url(pg_schema)
    engine = create_engine(url)
    try:
        migrations.upgrade(engine)
        ids, provider, _, principal = _world(engine, settings)
        with session_scope(engine) as session:
            session.add(Contract(company_id=ids["company"], number=f"CTR-B-{ids['company']}", title="Second",
                                 start_date=date(2026, 1, 1), end_date=date(2026, 12, 31)))
            card = session.exec(select(PaymentMethod.id)).one()

        def act(what: str) -> str:
            worker = create_engine(url)
            try:
                with session_scope(worker) as session:
                    if what == "remove":
                        payment_methods.remove_method(session, context(principal=principal), method_id=str(card),
                                                      replacement=payment_methods.TRANSFER, settings=settings,
                                                      provider=provider)
                    else:
                        payment_methods.choose_for_contract(session, context(principal=principal),
                                                            contract_number=f"CTR-B-{ids['company']}",
                                                            choice=str(card), settings=settings)
                return f"{what} done"
            except Exception as error:  # the loser is refused: the card is gone
                return f"{what} {getattr(error, 'code', type(error).__name__)}"

        jobs = iter(["remove", "choose"])
        results = race(2, lambda: act(next(jobs)))
        with read_scope(engine) as session:
            removed = session.get(PaymentMethod, card).status == "removed"
            on_it = session.exec(select(Contract.number).where(Contract.payment_method_id == card)).all()
        assert removed and on_it == [], results
    finally:
        engine.dispose()
