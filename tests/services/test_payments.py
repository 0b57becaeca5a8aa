"""Online payment through the sandbox provider: test cards, 3-D Secure, idempotency, settlement."""

from __future__ import annotations

import logging
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlmodel import func, select

from lcadmin.db import read_scope, session_scope
from lcadmin.domain.money import Money
from lcadmin.models import (
    AuditEvent,
    Invoice,
    OutboxMessage,
    Payment,
    SalesOrder,
    SandboxIntent,
    SandboxToken,
)
from lcadmin.payments.sandbox import SandboxProvider
from lcadmin.services import admin_center, orders, payments
from lcadmin.services.errors import InvalidInput, NotAllowed, NotFound
from lcadmin.services.invoicing import LineInput, issue_invoice
from lcadmin.services.payments import CardInput
from lcadmin.services.sessions import Principal
from lcadmin.settings import load_settings
from tests.factories import context
from tests.helpers import race

NOW = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
VENDOR = load_settings({}).vendor
FLEXIS = Principal(1, "hbernard@flexis.com", "Hugo Bernard", 1, "Flexis", "admin")
ACME = Principal(2, "pdurand@acme-logistique.fr", "Paul Durand", 2, "Acme Logistique", "admin")
OK, DECLINED, NO_FUNDS, THREE_DS = "4242 4242 4242 4242", "4000 0000 0000 0002", "4000000000009995", "4000 0025 0000 3155"


@pytest.fixture
def provider(demo):
    return SandboxProvider(demo, today=date(2026, 11, 26))


def _pay(engine, provider, *, card=OK, kind="invoice", number="F2026-00005", key=None, principal=FLEXIS,
         expiry="12/28", cvc="123", locale="fr", now=NOW):
    with session_scope(engine) as session:
        return payments.pay(session, context(principal=principal, now=now, locale=locale), kind=kind, number=number,
                            idempotency_key=key or uuid.uuid4().hex, card=CardInput(card, expiry, cvc),
                            provider=provider, vendor=VENDOR)


def _complete(session, principal, *, now=NOW, **arguments):
    """Back from the 3-D Secure page, as ``principal``."""
    return payments.complete_authentication(session, context(principal=principal, now=now), **arguments)


def _receipts(engine) -> dict[str, tuple[str, str]]:
    """Recipient -> (subject, text of the attached PDF)."""
    with read_scope(engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "receipt")).all()
    return {r.to_address: (r.subject, " ".join(page.extract_text() for page in PdfReader(BytesIO(r.attachment)).pages))
            for r in rows}


def _invoice(engine, number):
    with read_scope(engine) as session:
        return session.exec(select(Invoice).where(Invoice.number == number)).one()


def test_4242_pays_an_open_invoice_and_sends_a_receipt(demo, provider):
    outcome = _pay(demo, provider)
    assert (outcome.status, outcome.invoice_number) == ("succeeded", "F2026-00005")
    invoice = _invoice(demo, "F2026-00005")
    assert invoice.status == "paid" and invoice.paid_at == NOW
    with read_scope(demo) as session:
        payment = session.exec(select(Payment)).one()
    assert (payment.card_brand, payment.card_last4) == ("visa", "4242")
    receipts = _receipts(demo)  # the billing contact and the person who paid
    assert set(receipts) == {"compta@flexis.com", "hbernard@flexis.com"}
    _subject, text = receipts["compta@flexis.com"]
    for expected in ("Reçu de paiement", "F2026-00005", "Facture réglée", "VISA •••• 4242", "Flexis",
                     payment.provider_intent_id, "Numéro du reçu", "R2026-00001"):
        assert expected in text
    assert re.search(r"180,00\s€", text)
    assert payment.receipt_number == "R2026-00001" and payment.paid_at == NOW


def test_each_recipient_gets_the_receipt_in_their_own_language(demo, provider):
    """The payer pays in English: their receipt is in English; the billing contact's stays in
    the contact's language (French), and each attachment is named in its language."""
    _pay(demo, provider, locale="en")
    receipts = _receipts(demo)
    payer_subject, payer = receipts["hbernard@flexis.com"]
    contact_subject, contact = receipts["compta@flexis.com"]
    assert "Payment receipt" in payer and "Invoice settled" in payer and "€180.00" in payer and "Reçu" not in payer
    assert payer_subject == "Payment receipt — invoice F2026-00005"
    assert "Reçu de paiement" in contact and "Facture réglée" in contact and "Payment receipt" not in contact
    with read_scope(demo) as session:
        names = {m.to_address: m.attachment_name for m in session.exec(select(OutboxMessage))
                 if m.kind == "receipt"}
    assert names == {"hbernard@flexis.com": "Receipt-R2026-00001.pdf", "compta@flexis.com": "Recu-R2026-00001.pdf"}
    assert contact_subject.startswith("Reçu de paiement")


@pytest.mark.parametrize(("card", "code"), [(DECLINED, "card_declined"), (NO_FUNDS, "insufficient_funds"),
                                             ("5555 5555 5555 4444", "live_card_in_sandbox")])
def test_declined_cards_leave_the_invoice_open(demo, provider, card, code):
    outcome = _pay(demo, provider, card=card)
    assert (outcome.status, outcome.failure_code) == ("failed", code)
    assert _invoice(demo, "F2026-00005").status == "open"


@pytest.mark.parametrize(("card", "expiry", "cvc", "code", "field"), [
    ("4242 4242 4242 4241", "12/28", "123", "invalid_number", "card_number"),
    ("4242", "12/28", "123", "invalid_number", "card_number"),
    (OK, "13/28", "123", "invalid_expiry", "card_expiry"), (OK, "1328", "123", "invalid_expiry", "card_expiry"),
    (OK, "10/26", "123", "expired_card", "card_expiry"), (OK, "12/28", "12", "invalid_cvc", "card_cvc"),
    (OK, "12/28", "abc", "invalid_cvc", "card_cvc"), (OK, "12/28", "1234", "invalid_cvc", "card_cvc"),
])
def test_bad_card_details_get_a_field_error_and_charge_nothing(demo, provider, card, expiry, cvc, code, field):
    with pytest.raises(InvalidInput) as error:
        _pay(demo, provider, card=card, expiry=expiry, cvc=cvc)
    assert (error.value.code, error.value.field) == (code, field)
    with read_scope(demo) as session:
        assert session.exec(select(func.count()).select_from(SandboxIntent)).one() == 0


def test_an_expiry_typed_without_a_separator_pays(demo, provider):
    """A phone's numeric keypad has no "/": ``1230`` is December 2030."""
    assert _pay(demo, provider, card=OK, expiry="1230").status == "succeeded"


def test_3d_secure_waits_for_the_bank_then_settles(demo, provider):
    outcome = _pay(demo, provider, card=THREE_DS)
    assert outcome.status == "requires_action" and outcome.action_url.startswith("/payments/authenticate/pi_")
    assert _invoice(demo, "F2026-00005").status == "open"
    intent_id = outcome.action_url.rsplit("/", 1)[1]
    with pytest.raises(NotFound), session_scope(demo) as session:  # another company cannot complete it
        _complete(session, ACME, intent_id=intent_id, approved=True, provider=provider,
                                         vendor=VENDOR, now=NOW)
    with session_scope(demo) as session:
        done = _complete(session, FLEXIS, intent_id=intent_id, approved=True,
                                                provider=provider, vendor=VENDOR, now=NOW)
    assert done.status == "succeeded" and _invoice(demo, "F2026-00005").status == "paid"


def test_a_refused_3d_secure_charges_nothing(demo, provider):
    intent_id = _pay(demo, provider, card=THREE_DS).action_url.rsplit("/", 1)[1]
    with session_scope(demo) as session:
        done = _complete(session, FLEXIS, intent_id=intent_id, approved=False,
                                                provider=provider, vendor=VENDOR, now=NOW)
    assert (done.status, done.failure_code) == ("failed", "authentication_failed")
    assert _invoice(demo, "F2026-00005").status == "open"


def test_a_double_submit_never_charges_twice(demo, provider):
    key = uuid.uuid4().hex
    first = _pay(demo, provider, key=key)
    again = _pay(demo, provider, key=key)
    assert again == first and (first.status, first.invoice_number) == ("succeeded", "F2026-00005")
    with read_scope(demo) as session:
        assert session.exec(select(func.count()).select_from(Payment)).one() == 1
        assert session.exec(select(func.count()).select_from(SandboxIntent)).one() == 1


def test_concurrent_double_clicks_charge_once(demo, provider):
    key = uuid.uuid4().hex

    def click() -> str:
        try:
            return _pay(demo, provider, key=key).status
        except InvalidInput as error:  # the invoice was already paid by the winner
            return error.code

    results = race(4, click)
    with read_scope(demo) as session:
        intents = session.exec(select(SandboxIntent)).all()
        assert session.exec(select(func.count()).select_from(Payment)).one() == 1
    assert len(intents) == 1 and intents[0].status == "succeeded"
    assert "succeeded" in results


def test_paying_a_signed_order_issues_its_invoice_paid(demo, provider):
    with pytest.raises(InvalidInput) as unsigned:
        _pay(demo, provider, kind="order", number="FLD102776277396")
    assert unsigned.value.code == "not_payable"
    with session_scope(demo) as session:
        orders.sign_order(session, context(principal=FLEXIS, now=NOW), number="FLD102776277396",
                          signer_name="Hugo Bernard", authorized=True, vendor=VENDOR)
    outcome = _pay(demo, provider, kind="order", number="FLD102776277396")
    assert outcome.status == "succeeded" and outcome.invoice_number == "F2026-00006"
    invoice = _invoice(demo, "F2026-00006")
    assert (invoice.status, invoice.total_minor, invoice.subtotal_minor) == ("paid", 4_320_00, 3_600_00)
    with read_scope(demo) as session:
        assert session.exec(select(SalesOrder).where(SalesOrder.number == "FLD102776277396")).one().status == "paid"


def test_card_numbers_are_never_stored_or_logged(demo, provider, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, every level
    _pay(demo, provider, card="4242424242424242", cvc="987")
    with read_scope(demo) as session:
        stored = [str(value) for model in (Payment, SandboxToken, SandboxIntent, AuditEvent)
                  for row in session.exec(select(model)) for value in row.model_dump().values()]
    assert stored and not any("4242424242424242" in value or "42424242" in value for value in stored)
    # The CVC as a value of its own or as a separate word (random ids may hold "987" by chance).
    assert not any(re.search(r"(?<![0-9A-Za-z])987(?![0-9A-Za-z])", value) for value in stored)
    assert "42424242" not in caplog.text and not re.search(r"(?<![0-9A-Za-z])987(?![0-9A-Za-z])", caplog.text)


def test_only_the_companys_own_open_invoices_can_be_paid(demo, provider):
    with pytest.raises(NotFound):
        _pay(demo, provider, number="F2026-00004")  # Acme's
    with pytest.raises(InvalidInput):
        _pay(demo, provider, number="F2026-00001")  # already paid
    with pytest.raises(NotAllowed):
        _pay(demo, provider, principal=Principal(1, "x", "X", 1, "Flexis", "licence_admin"))


def test_two_attempts_with_different_keys_never_both_charge(demo, provider):
    """Two tabs: the second attempt is refused while the first waits for 3-D Secure."""
    waiting = _pay(demo, provider, card=THREE_DS)
    assert waiting.status == "requires_action"
    with pytest.raises(InvalidInput) as busy:
        _pay(demo, provider)
    assert busy.value.code == "payment_in_progress"
    intent_id = waiting.action_url.rsplit("/", 1)[1]
    with session_scope(demo) as session:  # the bank refuses: the document is free again
        _complete(session, FLEXIS, intent_id=intent_id, approved=False, provider=provider,
                                         vendor=VENDOR, now=NOW)
    assert _pay(demo, provider).status == "succeeded"


def test_concurrent_attempts_with_different_keys_charge_once(demo, provider):
    def attempt() -> str:
        try:
            return _pay(demo, provider).status
        except InvalidInput as error:
            return error.code

    results = race(4, attempt)
    with read_scope(demo) as session:
        succeeded = session.exec(select(SandboxIntent).where(SandboxIntent.status == "succeeded")).all()
    assert len(succeeded) == 1 and results.count("succeeded") == 1
    assert set(results) <= {"succeeded", "payment_in_progress", "not_payable"}


def _charged(engine) -> int:
    with read_scope(engine) as session:
        return len(session.exec(select(SandboxIntent).where(SandboxIntent.status == "succeeded")).all())


def _die_after_the_charge(provider, monkeypatch) -> None:
    """An attempt whose card the bank charges, whose payment is never written (the process dies)."""
    real_confirm = provider.confirm_intent

    def confirm_then_die(intent_id, *, token_id):
        real_confirm(intent_id, token_id=token_id)  # the bank charges the card...
        raise RuntimeError("the process died")  # ...and the payment is never written

    monkeypatch.setattr(provider, "confirm_intent", confirm_then_die)
    with pytest.raises(RuntimeError):
        _pay(provider._engine, provider)
    monkeypatch.setattr(provider, "confirm_intent", real_confirm)


def test_a_crash_after_the_bank_charged_is_recovered_and_never_charged_again(demo, provider, monkeypatch):
    _die_after_the_charge(provider, monkeypatch)
    assert _charged(demo) == 1 and _invoice(demo, "F2026-00005").status == "open"
    with pytest.raises(InvalidInput) as busy:  # a reload soon after: still in progress
        _pay(demo, provider, now=NOW + timedelta(minutes=5))
    assert busy.value.code == "payment_in_progress"

    later = _pay(demo, provider, now=NOW + payments.CLAIM_LAPSE + timedelta(seconds=1))  # a new key, a new card
    assert (later.status, later.invoice_number) == ("succeeded", "F2026-00005")
    assert _charged(demo) == 1  # the charge found at the provider was recorded, not made again
    assert _invoice(demo, "F2026-00005").status == "paid"
    with read_scope(demo) as session:
        assert session.exec(select(func.count()).select_from(Payment)).one() == 1
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "payment.recovered")).one()
    receipts = _receipts(demo)  # to the one who paid, with the card that was charged
    assert set(receipts) == {"compta@flexis.com", "hbernard@flexis.com"}
    assert "VISA •••• 4242" in receipts["hbernard@flexis.com"][1]


def test_a_new_attempt_while_the_bank_answers_a_late_3d_secure_is_refused(demo, provider, monkeypatch):
    waiting = _pay(demo, provider, card=THREE_DS)
    later = NOW + payments.CLAIM_LAPSE + timedelta(minutes=1)  # the first claim has lapsed
    real_answer, refused = provider.complete_authentication, []

    def answer_while_another_tab_pays(intent_id, *, approved):
        try:
            _pay(demo, provider, now=later)  # another tab, while the bank is answering the first
        except InvalidInput as error:
            refused.append(error.code)
        return real_answer(intent_id, approved=approved)

    monkeypatch.setattr(provider, "complete_authentication", answer_while_another_tab_pays)
    with session_scope(demo) as session:
        done = _complete(session, FLEXIS, intent_id=waiting.action_url.rsplit("/", 1)[1],
                                                approved=True, provider=provider, vendor=VENDOR, now=later)
    assert done.status == "succeeded" and refused == ["payment_in_progress"] and _charged(demo) == 1


def test_a_charge_landing_on_an_invoice_cancelled_meanwhile_is_kept_for_a_refund(demo, provider, monkeypatch):
    real_confirm = provider.confirm_intent

    def confirm_while_a_credit_note_cancels_it(intent_id, *, token_id):
        _credit(demo, "F2026-00005", 150_00)  # the vendor credits the whole invoice meanwhile
        return real_confirm(intent_id, token_id=token_id)

    monkeypatch.setattr(provider, "confirm_intent", confirm_while_a_credit_note_cancels_it)
    assert _pay(demo, provider).status == "succeeded"
    assert _invoice(demo, "F2026-00005").status == "void" and _charged(demo) == 1
    with read_scope(demo) as session:
        assert session.exec(select(Payment.status)).one() == "succeeded"
        refund = session.exec(select(AuditEvent).where(AuditEvent.action == "payment.needs_refund")).one()
    assert refund.detail["invoice_status"] == "void"


def test_an_abandoned_3d_secure_cannot_charge_once_another_attempt_took_over(demo, provider):
    waiting = _pay(demo, provider, card=THREE_DS)
    later = NOW + payments.CLAIM_LAPSE + timedelta(minutes=1)
    assert _pay(demo, provider, now=later).status == "succeeded"  # another tab, twenty minutes on
    with session_scope(demo) as session:  # back on the bank page of the first attempt
        done = _complete(session, FLEXIS, intent_id=waiting.action_url.rsplit("/", 1)[1],
                                                approved=True, provider=provider, vendor=VENDOR, now=later)
    assert (done.status, done.failure_code) == ("failed", "authentication_expired")
    assert _charged(demo) == 1


def _credit(engine, invoice_number: str, unit_price_minor: int) -> None:
    with session_scope(engine) as session:
        invoice = session.exec(select(Invoice).where(Invoice.number == invoice_number)).one()
        issue_invoice(session, context(now=NOW), company_id=invoice.company_id, issue_date=date(2026, 11, 26),
                      payment_terms_days=0, period=None, vendor=VENDOR, credits=invoice,
                      lines=[LineInput("Geste commercial", 1, unit_price_minor, 2000)])


def test_a_credit_note_lowers_what_is_due_and_a_full_one_cancels_the_invoice(demo, provider):
    _credit(demo, "F2026-00005", 50_00)  # 60,00 € incl. VAT off 180,00 €
    with read_scope(demo) as session:
        assert payments.payable_amount(session, context(principal=FLEXIS), "invoice", "F2026-00005") == Money(120_00, "EUR")
    _credit(demo, "F2026-00005", 100_00)  # the remaining 120,00 €
    assert _invoice(demo, "F2026-00005").status == "void"
    with pytest.raises(InvalidInput) as refused:
        _pay(demo, provider)
    assert refused.value.code == "not_payable" and _charged(demo) == 0
    with read_scope(demo) as session:
        rows = admin_center.list_invoices(session, context(principal=FLEXIS), zone=VENDOR.timezone, status="void")
    assert [(r.number, r.status_label) for r in rows] == [("F2026-00005", "Annulée")]


def test_a_partly_credited_invoice_is_paid_for_what_is_left(demo, provider):
    _credit(demo, "F2026-00005", 50_00)
    assert _pay(demo, provider).status == "succeeded"
    with read_scope(demo) as session:
        assert session.exec(select(Payment.amount_minor)).one() == 120_00


def _approved_at_the_bank_then_cut_short(demo, provider, monkeypatch) -> None:
    """A 3-D Secure payment the bank approves, whose recording never happens (the process dies)."""
    waiting = _pay(demo, provider, card=THREE_DS)
    real_answer = provider.complete_authentication

    def approve_then_die(intent_id, *, approved):
        real_answer(intent_id, approved=approved)
        raise RuntimeError("the process died")

    monkeypatch.setattr(provider, "complete_authentication", approve_then_die)
    with pytest.raises(RuntimeError), session_scope(demo) as session:
        _complete(session, FLEXIS, intent_id=waiting.action_url.rsplit("/", 1)[1],
                                         approved=True, provider=provider, vendor=VENDOR, now=NOW)
    monkeypatch.setattr(provider, "complete_authentication", real_answer)


def test_a_3d_secure_approved_at_the_bank_then_cut_short_is_recovered_not_charged_again(demo, provider, monkeypatch):
    _approved_at_the_bank_then_cut_short(demo, provider, monkeypatch)
    later = _pay(demo, provider, now=NOW + payments.CLAIM_LAPSE + timedelta(minutes=1))
    assert (later.status, later.invoice_number) == ("succeeded", "F2026-00005")
    assert _charged(demo) == 1 and _invoice(demo, "F2026-00005").status == "paid"


def test_two_tabs_answering_the_same_3d_secure_settle_it_once(demo, provider, monkeypatch):
    waiting = _pay(demo, provider, card=THREE_DS)
    intent_id = waiting.action_url.rsplit("/", 1)[1]
    real_answer, answered, nested = provider.complete_authentication, [], []

    def answer(session_now=NOW):
        with session_scope(demo) as session:
            return _complete(session, FLEXIS, intent_id=intent_id, approved=True,
                                                    provider=provider, vendor=VENDOR, now=session_now)

    def second_tab_answers_meanwhile(intent, *, approved):
        if not nested:
            nested.append(True)
            answered.append(answer())  # the other tab, while the bank answers this one
        return real_answer(intent, approved=approved)

    monkeypatch.setattr(provider, "complete_authentication", second_tab_answers_meanwhile)
    first = answer()
    assert answered[0].status == first.status == "succeeded"
    assert first.invoice_number == answered[0].invoice_number == "F2026-00005"
    with read_scope(demo) as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "payment.needs_refund")).all() == []
        assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "invoice.paid",
                                                         AuditEvent.subject == "invoice:F2026-00005")).all()) == 1
    assert _charged(demo) == 1 and len(_receipts(demo)) == 2


def test_resubmitting_the_same_attempt_after_a_crash_holds_the_document(demo, provider, monkeypatch):
    key, later = uuid.uuid4().hex, NOW + payments.CLAIM_LAPSE + timedelta(minutes=1)
    real_confirm, refused = provider.confirm_intent, []

    def die(intent_id, *, token_id):
        raise RuntimeError("the process died before the charge")

    monkeypatch.setattr(provider, "confirm_intent", die)
    with pytest.raises(RuntimeError):
        _pay(demo, provider, key=key)

    def another_tab_tries_meanwhile(intent_id, *, token_id):
        try:
            _pay(demo, provider, now=later)
        except InvalidInput as error:
            refused.append(error.code)
        return real_confirm(intent_id, token_id=token_id)

    monkeypatch.setattr(provider, "confirm_intent", another_tab_tries_meanwhile)
    assert _pay(demo, provider, key=key, now=later).status == "succeeded"  # the same dialog, sent again
    assert refused == ["payment_in_progress"] and _charged(demo) == 1


def test_a_mistyped_card_leaves_the_document_free(demo, provider):
    with pytest.raises(InvalidInput) as typo:
        _pay(demo, provider, cvc="12")
    assert typo.value.code == "invalid_cvc"
    assert _pay(demo, provider).status == "succeeded"  # another tab, at once: not "in progress"


def _crash_after_charge(engine, provider, monkeypatch, key):
    real_confirm = provider.confirm_intent

    def confirm_then_die(intent_id, *, token_id):
        real_confirm(intent_id, token_id=token_id)
        raise RuntimeError("the process died")

    monkeypatch.setattr(provider, "confirm_intent", confirm_then_die)
    with pytest.raises(RuntimeError):
        _pay(engine, provider, key=key)
    monkeypatch.setattr(provider, "confirm_intent", real_confirm)


def test_a_typo_when_resending_a_charged_attempt_frees_nothing(demo, provider, monkeypatch):
    key = uuid.uuid4().hex
    _crash_after_charge(demo, provider, monkeypatch, key)
    with pytest.raises(InvalidInput):  # the same dialog sent again, with a mistyped CVC
        _pay(demo, provider, key=key, cvc="12", now=NOW + timedelta(minutes=1))
    with pytest.raises(InvalidInput) as busy:  # another tab at once
        _pay(demo, provider, now=NOW + timedelta(minutes=2))
    assert busy.value.code == "payment_in_progress" and _charged(demo) == 1


def test_resending_a_charged_attempt_with_another_card_records_the_card_charged(demo, provider, monkeypatch):
    key = uuid.uuid4().hex
    _crash_after_charge(demo, provider, monkeypatch, key)
    assert _pay(demo, provider, key=key, card="5555 5555 5555 4444", now=NOW + timedelta(minutes=1)).status \
        == "succeeded"
    with read_scope(demo) as session:
        payment = session.exec(select(Payment)).one()
    assert (payment.card_last4, payment.amount_minor) == ("4242", 180_00) and _charged(demo) == 1


def test_a_charge_cut_short_is_recorded_even_once_a_credit_note_cancelled_the_invoice(demo, provider, monkeypatch):
    _crash_after_charge(demo, provider, monkeypatch, uuid.uuid4().hex)
    _credit(demo, "F2026-00005", 150_00)
    _pay(demo, provider, now=NOW + payments.CLAIM_LAPSE + timedelta(minutes=1))
    with read_scope(demo) as session:
        assert session.exec(select(Payment.status)).one() == "succeeded"
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "payment.needs_refund")).one()
    assert _charged(demo) == 1


def test_resending_an_attempt_after_the_amount_changed_never_charges_the_old_amount(demo, provider, monkeypatch):
    key = uuid.uuid4().hex

    def die(intent_id, *, token_id):
        raise RuntimeError("the process died before the charge")

    monkeypatch.setattr(provider, "confirm_intent", die)
    with pytest.raises(RuntimeError):
        _pay(demo, provider, key=key)
    monkeypatch.undo()
    _credit(demo, "F2026-00005", 50_00)  # 120,00 € due now
    with pytest.raises(InvalidInput) as changed:
        _pay(demo, provider, key=key)
    assert changed.value.code == "amount_changed" and _charged(demo) == 0
    assert _pay(demo, provider).status == "succeeded"  # reopened: a new attempt, the new amount
    with read_scope(demo) as session:
        assert session.exec(select(Payment.amount_minor)).one() == 120_00


def test_paying_more_than_is_due_asks_for_a_refund(demo, provider, monkeypatch):
    real_confirm = provider.confirm_intent

    def confirm_while_a_credit_note_lowers_it(intent_id, *, token_id):
        _credit(demo, "F2026-00005", 50_00)
        return real_confirm(intent_id, token_id=token_id)

    monkeypatch.setattr(provider, "confirm_intent", confirm_while_a_credit_note_lowers_it)
    assert _pay(demo, provider).status == "succeeded"
    with read_scope(demo) as session:
        refund = session.exec(select(AuditEvent).where(AuditEvent.action == "payment.needs_refund")).one()
    assert refund.detail["reason"] == "paid_more_than_due" and _invoice(demo, "F2026-00005").status == "paid"


def test_a_3d_secure_approved_after_a_credit_note_cancelled_the_invoice_charges_nothing(demo, provider):
    waiting = _pay(demo, provider, card=THREE_DS)
    _credit(demo, "F2026-00005", 150_00)
    with session_scope(demo) as session:
        done = _complete(session, FLEXIS, intent_id=waiting.action_url.rsplit("/", 1)[1],
                                                approved=True, provider=provider, vendor=VENDOR, now=NOW)
    assert (done.status, done.failure_code) == ("failed", "not_payable") and _charged(demo) == 0


def test_a_double_click_on_a_3d_secure_card_opens_the_same_bank_page(demo, provider):
    key = uuid.uuid4().hex
    first = _pay(demo, provider, card=THREE_DS, key=key)
    again = _pay(demo, provider, card=THREE_DS, key=key)
    assert first.action_url and (again.status, again.action_url) == ("requires_action", first.action_url)


def test_an_intent_the_provider_cancelled_frees_the_document(demo, provider, monkeypatch):
    key, later = uuid.uuid4().hex, NOW + payments.CLAIM_LAPSE + timedelta(minutes=1)

    def die(intent_id, *, token_id):
        raise RuntimeError("the process died before the charge")

    monkeypatch.setattr(provider, "confirm_intent", die)
    with pytest.raises(RuntimeError):
        _pay(demo, provider, key=key)
    monkeypatch.undo()
    assert _pay(demo, provider, card=DECLINED, now=later).status == "failed"  # cancels the first intent
    assert _pay(demo, provider, key=key, now=later + timedelta(minutes=1)).status == "failed"  # the first, resent
    assert _pay(demo, provider, now=later + timedelta(minutes=2)).status == "succeeded"  # free again at once


# --- the background reconciliation ----------------------------------------------------------

def _reconcile(engine, provider, now):
    with session_scope(engine) as session:
        return payments.settle_unfinished_attempts(session, context(now=now, ip=None), provider=provider, vendor=VENDOR)


def test_a_charge_cut_short_is_recorded_by_itself_within_minutes(demo, provider, monkeypatch):
    """Nobody pays again to find it: a minute or two after the crash, the reconciliation asks the
    provider, records the charge, pays the invoice and sends the receipts."""
    _die_after_the_charge(provider, monkeypatch)
    assert _reconcile(demo, provider, NOW + timedelta(seconds=30)) == 0  # an attempt may still be under way
    assert _invoice(demo, "F2026-00005").status == "open"
    assert _reconcile(demo, provider, NOW + payments.SETTLE_AFTER + timedelta(seconds=1)) == 1
    assert _invoice(demo, "F2026-00005").status == "paid" and _charged(demo) == 1
    receipts = _receipts(demo)
    assert set(receipts) == {"compta@flexis.com", "hbernard@flexis.com"}
    assert "VISA •••• 4242" in receipts["hbernard@flexis.com"][1]
    with read_scope(demo) as session:
        payment = session.exec(select(Payment)).one()
        assert (payment.status, payment.created_by, payment.card_last4) == ("succeeded", FLEXIS.user_id, "4242")
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "payment.recovered")).one().actor_user_id is None
    assert _reconcile(demo, provider, NOW + timedelta(minutes=5)) == 0  # once
    with pytest.raises(InvalidInput):  # and the payer's own retry charges nothing
        _pay(demo, provider, now=NOW + timedelta(minutes=6))
    assert _charged(demo) == 1


def test_an_attempt_that_never_charged_frees_its_document_by_itself(demo, provider, monkeypatch):
    def die(intent_id, *, token_id):
        raise RuntimeError("the process died before the charge")

    monkeypatch.setattr(provider, "confirm_intent", die)
    with pytest.raises(RuntimeError):
        _pay(demo, provider)
    monkeypatch.undo()
    assert _reconcile(demo, provider, NOW + timedelta(minutes=5)) == 0  # the bank says nothing charged yet
    assert _reconcile(demo, provider, NOW + payments.CLAIM_LAPSE + timedelta(minutes=1)) == 1
    with read_scope(demo) as session:
        assert session.exec(select(SandboxIntent)).one().status == "canceled"  # it can never charge now
    later = _pay(demo, provider, now=NOW + payments.CLAIM_LAPSE + timedelta(minutes=2))
    assert later.status == "succeeded" and _charged(demo) == 1


def test_a_3d_secure_approved_then_cut_short_is_settled_by_itself(demo, provider, monkeypatch):
    _approved_at_the_bank_then_cut_short(demo, provider, monkeypatch)
    assert _reconcile(demo, provider, NOW + payments.SETTLE_AFTER + timedelta(seconds=1)) == 1
    assert _invoice(demo, "F2026-00005").status == "paid" and _charged(demo) == 1 and len(_receipts(demo)) == 2


def test_a_payment_waiting_at_the_bank_is_left_to_its_payer(demo, provider):
    waiting = _pay(demo, provider, card=THREE_DS)
    assert _reconcile(demo, provider, NOW + timedelta(minutes=5)) == 0
    with session_scope(demo) as session:
        done = _complete(session, FLEXIS, intent_id=waiting.action_url.rsplit("/", 1)[1],
                                                approved=True, provider=provider, vendor=VENDOR,
                                                now=NOW + timedelta(minutes=6))
    assert done.status == "succeeded"


def test_concurrent_reconciliations_settle_a_charge_once(demo, provider, monkeypatch):
    """Every web process runs the reconciliation: three at once record one payment, one receipt each."""
    _die_after_the_charge(provider, monkeypatch)
    later = NOW + payments.SETTLE_AFTER + timedelta(seconds=1)
    results = race(3, lambda: str(_reconcile(demo, provider, later)))
    assert sum(int(r) for r in results) >= 1
    assert _invoice(demo, "F2026-00005").status == "paid" and _charged(demo) == 1
    with read_scope(demo) as session:
        assert session.exec(select(func.count()).select_from(Payment)).one() == 1
    assert len(_receipts(demo)) == 2


def test_without_a_provider_nothing_is_paid_online(demo):
    with pytest.raises(InvalidInput) as error:
        _pay(demo, None)
    assert error.value.code == "payments_unavailable"
    assert _reconcile(demo, None, NOW) == 0


def test_a_payment_at_half_past_midnight_in_paris_on_new_years_day_is_invoiced_in_the_new_year(demo, provider):
    """23:30 UTC on 31 December is 00:30 on 1 January in Paris: the invoice, its number and its
    receipt belong to the new year."""
    with session_scope(demo) as session:
        orders.sign_order(session, context(principal=FLEXIS, now=NOW), number="FLD102776277396",
                          signer_name="Hugo Bernard", authorized=True, vendor=VENDOR)
    new_year = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    outcome = _pay(demo, SandboxProvider(demo, today=date(2027, 1, 1)), kind="order", number="FLD102776277396",
                   now=new_year)
    assert outcome.invoice_number == "F2027-00001"
    assert _invoice(demo, "F2027-00001").issue_date == date(2027, 1, 1)
    assert "1er janvier 2027 00:30 (CET)" in _receipts(demo)["hbernard@flexis.com"][1]


def test_overdue_follows_the_vendors_calendar(demo):
    """An invoice due on 31 December is not overdue at 23:30 UTC that day (00:30 on 1 January in
    Paris it is)."""
    with session_scope(demo) as session:
        invoice = session.exec(select(Invoice).where(Invoice.number == "F2026-00005")).one()
        invoice.due_date = date(2026, 12, 31)
        session.add(invoice)
    for instant, expected in ((datetime(2026, 12, 31, 22, 30, tzinfo=UTC), "open"),
                              (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "overdue")):
        with read_scope(demo) as session:
            rows = admin_center.list_invoices(session, context(principal=FLEXIS, now=instant), zone=VENDOR.timezone)
        assert {r.number: r.status for r in rows}["F2026-00005"] == expected


def test_receipts_are_listed_and_downloaded_by_their_company_only(demo, provider):
    from lcadmin.services import receipts

    _pay(demo, provider)
    with read_scope(demo) as session:
        rows = receipts.list_payments(session, context(principal=FLEXIS, now=NOW), zone="Europe/Paris")
        assert [(r.receipt_number, r.invoice_number, r.card) for r in rows] == [("R2026-00001", "F2026-00005",
                                                                                 "VISA •••• 4242")]
        assert list(receipts.list_payments(session, context(principal=ACME, now=NOW), zone="Europe/Paris")) == []
        filename, pdf = receipts.receipt_pdf(session, context(principal=FLEXIS, now=NOW, locale="en"), "R2026-00001",
                                             VENDOR)
        assert filename == "Receipt-R2026-00001.pdf" and "Payment receipt" in PdfReader(BytesIO(pdf)).pages[0].extract_text()
        for principal, number in ((ACME, "R2026-00001"), (FLEXIS, "R2026-00002"), (FLEXIS, "")):
            with pytest.raises(NotFound):
                receipts.receipt_pdf(session, context(principal=principal, now=NOW), number, VENDOR)


def _overview(engine, principal, now=NOW):
    from lcadmin.services import admin_center

    with read_scope(engine) as session:
        return admin_center.overview(session, context(principal=principal, now=now), zone="Europe/Paris")


def test_the_overview_says_what_is_due_what_is_late_what_to_sign_and_what_was_paid(demo, provider):
    flexis = _overview(demo, FLEXIS)
    assert (flexis.open_count, flexis.overdue_count, flexis.pay_number) == (1, 0, "F2026-00005")
    assert flexis.amount_due.replace("\u202f", " ").replace("\u00a0", " ") == "180,00 €" and flexis.can_pay
    assert [o.number for o in flexis.to_sign] == ["FLD102776277396"]
    assert (flexis.next_number, flexis.last_paid_number, flexis.last_receipt) == ("F2026-00005", "F2026-00001", "")
    acme = _overview(demo, ACME)  # its open invoice is past due: "Payer" pays it first
    assert acme.overdue_count == 1 and acme.pay_number == "F2026-00004" and acme.overdue == acme.amount_due
    assert acme.to_sign == () and acme.next_number == ""
    # and the licences: Flexis 17 in force (12 + 5), 5 free; Acme's 25, every one taken
    assert (flexis.seats_purchased, flexis.seats_available, acme.seats_purchased, acme.seats_available) == (17, 5, 25, 0)
    _pay(demo, provider)  # Flexis pays F2026-00005 online
    paid = _overview(demo, FLEXIS)
    assert (paid.open_count, paid.pay_number, paid.can_pay, paid.next_number) == (0, "", False, "")
    assert (paid.last_paid_number, paid.last_receipt) == ("F2026-00005", "R2026-00001")
    licences_only = _overview(demo, Principal(1, "x@flexis.com", "X", 1, "Flexis", "licence_admin"))
    assert not licences_only.shows_billing and licences_only.shows_licences  # the licences tile alone
    assert (licences_only.amount_due, licences_only.to_sign, licences_only.seats_purchased) == ("", (), 17)
    reader = _overview(demo, Principal(1, "x@flexis.com", "X", 1, "Flexis", "billing_reader"))
    assert reader.shows_billing and not reader.shows_licences and not reader.can_pay and reader.seats_purchased == 0
    with pytest.raises(NotAllowed):
        _overview(demo, Principal(1, "x@flexis.com", "X", None, None, None))
