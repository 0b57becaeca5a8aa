"""The wallet ("Modes de paiement"): saved cards with 3-D Secure, SEPA mandates signed online,
which method pays which contract, removal with a replacement, the security and expiry notices,
and the provider clean-up job, through the sandbox provider."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, func, select

from lcadmin.db import read_scope, session_scope
from lcadmin.domain.cards import CardInput
from lcadmin.domain.permissions import Role
from lcadmin.domain.sepa import is_mandate_reference
from lcadmin.models import (
    AuditEvent,
    Company,
    Contract,
    Invoice,
    MandateSignature,
    OutboxMessage,
    Payment,
    PaymentMethod,
    SandboxCustomer,
    SandboxIntent,
    SandboxPaymentMethod,
    SandboxSetupIntent,
    SandboxToken,
    UserAccount,
)
from lcadmin.payments.provider import BankAccountError
from lcadmin.payments.sandbox import SandboxProvider
from lcadmin.services import payment_methods as wallet
from lcadmin.services import payments
from lcadmin.services.context import system
from lcadmin.services.errors import InvalidInput, NotAllowed, NotFound, ServiceError
from lcadmin.services.payment_methods import TRANSFER, CardSetupInput, MandateInput
from lcadmin.services.payment_methods.wallet import Option
from lcadmin.services.sessions import Principal
from tests import factories
from tests.factories import NOW

OK, THREE_DS, DECLINED = "4242 4242 4242 4242", "4000 0025 0000 3155", "4000 0000 0000 0002"
WRONG_CVC, EXPIRED_AT_BANK = "4000 0000 0000 0127", "4000 0000 0000 0069"
IBAN = "FR1420041010050500013M02606"  # the sandbox's account that settles
IBAN_GROUPED = "FR14 2004 1010 0505 0001 3M02 606"
LIVE_IBAN = "FR7630006000011234567890189"  # valid, but not one of the sandbox's test accounts


@dataclass(frozen=True)
class World:
    """Acme (admin, billing admin, member; CTR-A1 and CTR-A2 in force, CTR-A0 terminated) and
    Globex (its admin; CTR-G1)."""

    engine: Engine
    company_id: int
    admin: Principal
    billing_admin: Principal
    member: Principal
    other_company_id: int
    other_admin: Principal


@pytest.fixture
def world(engine) -> World:
    with session_scope(engine) as s:
        acme = factories.company(s, name="Acme", domain="acme.example")
        admin = factories.account(s, email="admin@acme.example", full_name="Alice Admin", company=acme,
                                  role=Role.ADMIN)
        billing = factories.account(s, email="billing-admin@acme.example", full_name="Bruno Billing",
                                    company=acme, role=Role.BILLING_ADMIN)
        member = factories.account(s, email="member@acme.example", full_name="Marc Member", company=acme,
                                   role=Role.LICENCE_ADMIN)
        globex = factories.company(s, name="Globex", domain="globex.example")
        other = factories.account(s, email="admin@globex.example", full_name="Gina Globex", company=globex,
                                  role=Role.ADMIN)
        for company_id, number, status in ((acme.id, "CTR-A1", "active"), (acme.id, "CTR-A2", "active"),
                                           (acme.id, "CTR-A0", "terminated"), (globex.id, "CTR-G1", "active")):
            s.add(Contract(company_id=company_id, number=number, title=f"Contrat {number}",
                           start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), status=status))
        s.flush()
        return World(engine, acme.id, factories.principal(admin, acme, Role.ADMIN),
                     factories.principal(billing, acme, Role.BILLING_ADMIN),
                     factories.principal(member, acme, Role.LICENCE_ADMIN), globex.id,
                     factories.principal(other, globex, Role.ADMIN))


@pytest.fixture
def provider(engine) -> SandboxProvider:
    return SandboxProvider(engine, today=date(2026, 11, 26))


def _ctx(who: Principal | None, *, now: datetime = NOW, locale: str = "fr"):
    return factories.context(principal=who, now=now, locale=locale)


def _add_card(w: World, provider, settings, who: Principal | None = None, *, number: str = OK,
              expiry: str = "12/28", cvc: str = "123", holder: str = "Alice Admin", use_for_all: bool = False,
              key: str | None = None, locale: str = "fr", now: datetime = NOW) -> wallet.SetupOutcome:
    with session_scope(w.engine) as s:
        return wallet.start_card_setup(s, _ctx(who or w.admin, locale=locale, now=now),
                                       form=CardSetupInput(holder, CardInput(number, expiry, cvc), use_for_all),
                                       idempotency_key=key or uuid.uuid4().hex, provider=provider, settings=settings)


def _form(**changes) -> MandateInput:
    values = {"holder_name": "Acme SAS", "address": "12 rue des Lilas", "postal_code": "75011", "city": "Paris",
              "iban": IBAN_GROUPED, "bic": "", "signer_name": "Alice Admin", "authorized": True,
              "use_for_all": False}
    return MandateInput(**(values | changes))


def _sign(w: World, provider, settings, who: Principal | None = None, *, locale: str = "fr", now: datetime = NOW,
          **changes) -> PaymentMethod:
    with session_scope(w.engine) as s:
        return wallet.sign_mandate(s, _ctx(who or w.admin, locale=locale, now=now), form=_form(**changes),
                                   provider=provider, settings=settings)


def _choose(w: World, settings, number: str, choice: object, who: Principal | None = None) -> bool:
    with session_scope(w.engine) as s:
        return wallet.choose_for_contract(s, _ctx(who or w.admin), contract_number=number, choice=choice,
                                          settings=settings)


def _set_default(w: World, settings, choice: object, who: Principal | None = None) -> bool:
    with session_scope(w.engine) as s:
        return wallet.set_default(s, _ctx(who or w.admin), choice=choice, settings=settings)


def _remove(w: World, settings, provider, method_id: object, replacement: object = "",
            who: Principal | None = None) -> list[str]:
    with session_scope(w.engine) as s:
        return wallet.remove_method(s, _ctx(who or w.admin), method_id=method_id, replacement=replacement,
                                    settings=settings, provider=provider)


def _view(w: World, settings, who: Principal | None = None, *, locale: str = "fr",
          now: datetime = NOW) -> wallet.Wallet:
    with read_scope(w.engine) as s:
        return wallet.list_wallet(s, _ctx(who or w.admin, locale=locale, now=now), vendor=settings.vendor)


def _rows(engine: Engine, model, *where) -> list:
    statement = select(model)
    if where:
        statement = statement.where(*where)
    with read_scope(engine) as s:
        return list(s.exec(statement.order_by(model.id)).all())


def _count(engine: Engine, model, *where) -> int:
    statement = select(func.count()).select_from(model)
    if where:
        statement = statement.where(*where)
    with read_scope(engine) as s:
        return s.exec(statement).one()


def _methods(w: World, company_id: int | None = None) -> list[PaymentMethod]:
    return _rows(w.engine, PaymentMethod, PaymentMethod.company_id == (company_id or w.company_id))


def _method(w: World, method_id: int) -> PaymentMethod:
    with read_scope(w.engine) as s:
        return s.get(PaymentMethod, method_id)


def _last(w: World, company_id: int | None = None) -> PaymentMethod:
    return _methods(w, company_id)[-1]


def _paid_by(w: World) -> dict[str, int | None]:
    return {c.number: c.payment_method_id for c in _rows(w.engine, Contract)}


def _mails(engine: Engine, kind: str) -> list[OutboxMessage]:
    return _rows(engine, OutboxMessage, OutboxMessage.kind == kind)


def _audit(engine: Engine, action: str) -> list[AuditEvent]:
    return _rows(engine, AuditEvent, AuditEvent.action == action)


def _insert_card(engine: Engine, company_id: int, exp_month: int, exp_year: int, *, status: str = "active",
                 last4: str = "1111", brand: str = "visa", is_default: bool = False) -> int:
    """A card written straight into the wallet (an expired one cannot be set up through the provider)."""
    with session_scope(engine) as s:
        row = PaymentMethod(company_id=company_id, kind="card", status=status,
                            provider_method_id=f"pm_test_{uuid.uuid4().hex}", holder_name="Alice Admin",
                            card_brand=brand, card_last4=last4, exp_month=exp_month, exp_year=exp_year,
                            is_default=is_default, created_at=NOW, updated_at=NOW)
        s.add(row)
        s.flush()
        return row.id


def _pdf_text(pdf: bytes) -> str:
    """The PDF's text, blanks (and the line breaks extraction adds) folded to single spaces."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def _setup_id(outcome: wallet.SetupOutcome) -> str:
    return outcome.action_url.rsplit("/", 1)[1]


# Saving a card


def test_a_4242_card_is_saved_active_at_once_and_attached_to_the_companys_customer(world, provider, settings):
    outcome = _add_card(world, provider, settings, expiry="12/28")
    assert (outcome.status, outcome.label, outcome.action_url, outcome.failure_code) == (
        "active", "Visa •••• 4242", None, None)
    [method] = _methods(world)
    assert (method.kind, method.status, method.card_brand, method.card_last4) == ("card", "active", "visa", "4242")
    assert (method.exp_month, method.exp_year, method.holder_name) == (12, 2028, "Alice Admin")
    assert method.created_by == world.admin.user_id and not method.is_default
    with read_scope(world.engine) as s:
        customer = s.get(Company, world.company_id).provider_customer_id
        saved = s.exec(select(SandboxPaymentMethod).where(
            SandboxPaymentMethod.method_id == method.provider_method_id)).one()
    assert customer and saved.customer_id == customer and saved.detached_at is None
    [added] = _audit(world.engine, "payment_method.added")
    assert added.subject == f"payment_method:{method.id}" and added.actor_user_id == world.admin.user_id
    # Nothing else changed: no contract is switched by a card saved without "use for all".
    assert _paid_by(world) == {"CTR-A1": None, "CTR-A2": None, "CTR-A0": None, "CTR-G1": None}


def test_the_company_gets_one_customer_record_for_all_its_methods(world, provider, settings):
    _add_card(world, provider, settings)
    _add_card(world, provider, settings)
    _sign(world, provider, settings)
    assert _count(world.engine, SandboxCustomer) == 1
    customers = {m.customer_id for m in _rows(world.engine, SandboxPaymentMethod)}
    with read_scope(world.engine) as s:
        assert customers == {s.get(Company, world.company_id).provider_customer_id}


def test_a_3d_secure_card_waits_pending_then_is_saved_once_approved(world, provider, settings):
    outcome = _add_card(world, provider, settings, number=THREE_DS)
    assert outcome.status == "requires_action" and outcome.label == "Visa •••• 3155"
    assert outcome.action_url.startswith("/payments/authenticate/seti_")
    setup_id = _setup_id(outcome)
    [method] = _methods(world)
    assert (method.status, method.setup_intent_id) == ("pending", setup_id)
    assert _view(world, settings).options == (Option(TRANSFER, "Virement bancaire"),)  # not usable yet
    with read_scope(world.engine) as s:
        assert wallet.card_setup_awaiting(s, _ctx(world.admin), setup_id=setup_id) == "Visa •••• 3155"
    with session_scope(world.engine) as s:
        done = wallet.complete_card_setup(s, _ctx(world.admin), setup_id=setup_id, approved=True, provider=provider,
                                          settings=settings)
    assert (done.status, done.label) == ("active", "Visa •••• 3155")
    assert _method(world, method.id).status == "active"
    with read_scope(world.engine) as s:
        assert wallet.card_setup_awaiting(s, _ctx(world.admin), setup_id=setup_id) is None  # answered
    assert len(_audit(world.engine, "payment_method.added")) == 1


def test_a_3d_secure_refused_removes_the_card_for_good(world, provider, settings):
    setup_id = _setup_id(_add_card(world, provider, settings, number=THREE_DS))
    with session_scope(world.engine) as s:
        done = wallet.complete_card_setup(s, _ctx(world.admin), setup_id=setup_id, approved=False,
                                          provider=provider, settings=settings)
    assert (done.status, done.failure_code) == ("failed", "authentication_failed")
    [method] = _methods(world)
    assert method.status == "removed" and method.removed_at == NOW
    with read_scope(world.engine) as s:
        saved = s.exec(select(SandboxPaymentMethod).where(
            SandboxPaymentMethod.method_id == method.provider_method_id)).one()
    assert saved.customer_id is None  # never attached at the provider
    assert _view(world, settings).cards == ()
    for attempt in (lambda: _choose(world, settings, "CTR-A1", str(method.id)),
                    lambda: _set_default(world, settings, str(method.id))):
        with pytest.raises(InvalidInput) as refused:
            attempt()
        assert refused.value.code == "method_not_usable"
    assert _audit(world.engine, "payment_method.added") == []


@pytest.mark.parametrize(("first", "second", "status"), [(True, False, "active"), (False, True, "removed")])
def test_answering_the_3d_secure_twice_changes_nothing(world, provider, settings, first, second, status):
    setup_id = _setup_id(_add_card(world, provider, settings, number=THREE_DS, use_for_all=True))
    with session_scope(world.engine) as s:
        wallet.complete_card_setup(s, _ctx(world.admin), setup_id=setup_id, approved=first, provider=provider,
                                   settings=settings)
    before = (_paid_by(world), len(_audit(world.engine, "payment_method.added")),
              len(_mails(world.engine, "wallet_change")), len(_rows(world.engine, AuditEvent)))
    with session_scope(world.engine) as s:
        again = wallet.complete_card_setup(s, _ctx(world.admin), setup_id=setup_id, approved=second,
                                           provider=provider, settings=settings)
    assert again.status == ("active" if status == "active" else "failed")
    assert _last(world).status == status
    after = (_paid_by(world), len(_audit(world.engine, "payment_method.added")),
             len(_mails(world.engine, "wallet_change")), len(_rows(world.engine, AuditEvent)))
    assert after == before
    with read_scope(world.engine) as s:
        setup = s.exec(select(SandboxSetupIntent).where(SandboxSetupIntent.setup_id == setup_id)).one()
    assert setup.status == ("succeeded" if first else "failed")


@pytest.mark.parametrize(("number", "code", "field"), [
    (DECLINED, "card_declined", "form"),
    (WRONG_CVC, "incorrect_cvc", "card_cvc"),
    (EXPIRED_AT_BANK, "expired_card", "card_expiry"),
    ("5555 5555 5555 4444", "live_card_in_sandbox", "form"),
])
def test_a_card_the_bank_refuses_is_not_kept_and_the_refusal_is_audited(world, provider, settings, number, code,
                                                                         field):
    with pytest.raises(InvalidInput) as refused:
        _add_card(world, provider, settings, number=number)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert _methods(world) == []
    # Committed on its own, although the call raised and its transaction rolled back.
    [event] = _audit(world.engine, "payment_method.setup_failed")
    assert (event.outcome, event.company_id, event.actor_user_id) == ("failure", world.company_id,
                                                                      world.admin.user_id)
    assert event.detail["code"] == code and event.detail["card"].endswith(number[-4:])
    assert event.ip == "203.0.113.7"
    assert _mails(world.engine, "wallet_change") == []


@pytest.mark.parametrize(("number", "expiry", "cvc", "code", "field"), [
    ("4242 4242 4242 4241", "12/28", "123", "invalid_number", "card_number"),  # the Luhn key is wrong
    (OK, "13/28", "123", "invalid_expiry", "card_expiry"),
    (OK, "10/26", "123", "expired_card", "card_expiry"),
    (OK, "12/28", "12", "invalid_cvc", "card_cvc"),
])
def test_a_mistyped_card_is_refused_before_anything_is_saved(world, provider, settings, number, expiry, cvc, code,
                                                             field):
    with pytest.raises(InvalidInput) as refused:
        _add_card(world, provider, settings, number=number, expiry=expiry, cvc=cvc)
    assert (refused.value.code, refused.value.field) == (code, field)
    for model in (PaymentMethod, SandboxToken, SandboxCustomer, SandboxPaymentMethod, SandboxSetupIntent):
        assert _count(world.engine, model) == 0, model
    with read_scope(world.engine) as s:
        assert s.get(Company, world.company_id).provider_customer_id is None


@pytest.mark.parametrize("holder", ["", "   ", "1", "\u200b\u200b"])
def test_a_card_without_a_holder_name_is_refused(world, provider, settings, holder):
    with pytest.raises(InvalidInput) as refused:
        _add_card(world, provider, settings, holder=holder)
    assert (refused.value.code, refused.value.field) == ("holder_name_required", "holder_name")
    assert _count(world.engine, PaymentMethod) == 0 and _count(world.engine, SandboxToken) == 0


@pytest.mark.parametrize("number", [OK, THREE_DS])
def test_the_same_set_up_sent_twice_saves_one_card(world, provider, settings, number):
    key = uuid.uuid4().hex
    first = _add_card(world, provider, settings, number=number, key=key)
    again = _add_card(world, provider, settings, number=number, key=key)
    assert again == first
    assert len(_methods(world)) == 1 and _count(world.engine, SandboxSetupIntent) == 1
    assert len(_mails(world.engine, "wallet_change")) == (3 if number == OK else 0)  # one notice, to 3 people


def test_concurrent_double_clicks_on_save_keep_one_card(world, provider, settings):
    key, barrier = uuid.uuid4().hex, threading.Barrier(4)

    def click(_: int) -> wallet.SetupOutcome:
        barrier.wait(timeout=60)
        return _add_card(world, provider, settings, key=key, use_for_all=True)

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(click, range(4)))
    assert {(o.status, o.label) for o in outcomes} == {("active", "Visa •••• 4242")}
    assert len(_methods(world)) == 1 and _count(world.engine, SandboxSetupIntent) == 1
    assert len(_audit(world.engine, "payment_method.added")) == 1
    assert len(_audit(world.engine, "contract.payment_method")) == 2  # CTR-A1 and CTR-A2, once each
    assert len(_mails(world.engine, "wallet_change")) == 3


def test_a_set_up_key_used_by_another_company_never_returns_its_card(world, provider, settings):
    key = uuid.uuid4().hex
    first = _add_card(world, provider, settings, key=key)
    theirs = _add_card(world, provider, settings, who=world.other_admin, key=key, number=THREE_DS)
    assert "4242" not in theirs.label
    assert [m.card_last4 for m in _methods(world, world.other_company_id)] == ["3155"]
    assert first.label == "Visa •••• 4242" and len(_methods(world)) == 1


def test_a_set_up_key_too_short_or_no_provider_is_refused(world, provider, settings):
    with pytest.raises(InvalidInput) as short:
        _add_card(world, provider, settings, key="abc")
    assert short.value.code == "not_payable"
    with pytest.raises(InvalidInput) as off:
        _add_card(world, None, settings)
    assert off.value.code == "payments_unavailable"
    assert _count(world.engine, PaymentMethod) == 0


def test_use_for_all_pays_every_contract_in_force_and_becomes_the_default(world, provider, settings):
    mandate = _sign(world, provider, settings)
    _choose(world, settings, "CTR-A1", str(mandate.id))
    _set_default(world, settings, str(mandate.id))
    _add_card(world, provider, settings, use_for_all=True)
    card = _last(world)
    assert card.is_default and card.use_for_all
    assert _paid_by(world) == {"CTR-A1": card.id, "CTR-A2": card.id, "CTR-A0": None, "CTR-G1": None}
    assert not _method(world, mandate.id).is_default
    switched = [e.detail for e in _audit(world.engine, "contract.payment_method")]
    assert {"previous": f"payment_method:{mandate.id}", "method": f"payment_method:{card.id}"} in switched
    assert {"previous": TRANSFER, "method": f"payment_method:{card.id}"} in switched
    notice = [m for m in _mails(world.engine, "wallet_change") if "4242" in m.text_body]
    assert notice and all("CTR-A1, CTR-A2" in m.text_body for m in notice)
    assert _view(world, settings).default == str(card.id)


def test_use_for_all_on_a_3d_secure_card_waits_for_the_banks_approval(world, provider, settings):
    setup_id = _setup_id(_add_card(world, provider, settings, number=THREE_DS, use_for_all=True))
    card = _last(world)
    assert _paid_by(world)["CTR-A1"] is None and not card.is_default
    assert _audit(world.engine, "contract.payment_method") == []
    with session_scope(world.engine) as s:
        wallet.complete_card_setup(s, _ctx(world.admin), setup_id=setup_id, approved=True, provider=provider,
                                   settings=settings)
    assert _paid_by(world) == {"CTR-A1": card.id, "CTR-A2": card.id, "CTR-A0": None, "CTR-G1": None}
    assert _method(world, card.id).is_default


def test_use_for_all_on_a_refused_3d_secure_card_changes_nothing(world, provider, settings):
    setup_id = _setup_id(_add_card(world, provider, settings, number=THREE_DS, use_for_all=True))
    with session_scope(world.engine) as s:
        wallet.complete_card_setup(s, _ctx(world.admin), setup_id=setup_id, approved=False, provider=provider,
                                   settings=settings)
    assert set(_paid_by(world).values()) == {None}
    assert _view(world, settings).default == TRANSFER


def _stored_text(engine: Engine) -> list[str]:
    """Every text value of every table (binary columns, the PDFs, left out), JSON as text."""
    values = []
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                for value in row:
                    if isinstance(value, dict | list):
                        values.append(json.dumps(value, ensure_ascii=False))
                    elif value is not None and not isinstance(value, bytes):
                        values.append(str(value))
    return values


def test_no_card_number_or_cvc_is_stored_anywhere_or_logged(world, provider, settings, caplog):
    caplog.set_level(logging.DEBUG)
    _add_card(world, provider, settings, number="4242424242424242", cvc="737", use_for_all=True)
    _add_card(world, provider, settings, number=THREE_DS, cvc="737")
    with pytest.raises(InvalidInput):
        _add_card(world, provider, settings, number=DECLINED, cvc="737")
    stored = _stored_text(world.engine)
    assert any("4242" in value for value in stored)  # the scan sees the wallet (its last four are kept)
    forbidden = ("4242424242424242", "4242 4242 4242 4242", "42424242", "4000002500003155", "4000000000000002")
    assert not [value for value in stored if any(digits in value for digits in forbidden)]
    cvc = re.compile(r"(?<![0-9A-Za-z])737(?![0-9A-Za-z])")  # random ids may hold "737" by chance
    assert not [value for value in stored if cvc.search(value)]
    assert "42424242" not in caplog.text and not cvc.search(caplog.text)
    # The typed holder's tables, named one by one as well.
    for model in (PaymentMethod, SandboxToken, SandboxPaymentMethod, AuditEvent, OutboxMessage):
        for row in _rows(world.engine, model):
            text = json.dumps(row.model_dump(exclude={"attachment", "document_pdf"}), default=str)
            assert "4242424242424242" not in text and not cvc.search(text), model


def test_no_full_iban_is_kept_outside_the_signed_mandate(world, provider, settings):
    _sign(world, provider, settings)
    stored = _stored_text(world.engine)
    assert any("2606" in value for value in stored)
    assert not [value for value in stored if IBAN in value or IBAN_GROUPED in value or "20041010050500013" in value]


# SEPA mandates


def test_check_account_groups_the_iban_by_four_and_finds_its_bic():
    check = wallet.check_account(iban="fr14 2004 1010 0505 0001 3m02 606")
    assert (check.iban, check.bic) == (IBAN_GROUPED, "PSSTFRPP")
    assert "POSTALE" in check.bank.upper()
    assert wallet.check_account(iban="DE89370400440532013000").iban == "DE89 3704 0044 0532 0130 00"
    assert wallet.check_account(iban=IBAN, bic="bnpa frpp").bic == "BNPAFRPP"  # a typed BIC wins


@pytest.mark.parametrize(("iban", "bic", "code", "field"), [
    ("FR1420041010050500013M02607", "", "iban_checksum", "iban"),  # one digit mistyped
    ("FR1520041010050500013M02606", "", "iban_checksum", "iban"),  # the check digits
    ("BR1800360305000010009795493C1", "", "iban_not_sepa", "iban"),
    ("n'importe quoi", "", "iban_invalid", "iban"),
    ("", "", "iban_invalid", "iban"),
    ("FR14", "", "iban_invalid", "iban"),
    ("US64SVBKUS6S3300958879", "", "iban_invalid", "iban"),
    (IBAN, "DEUTDEFF", "bic_invalid", "bic"),  # a German BIC for a French account
    (IBAN, "PSST", "bic_invalid", "bic"),
    ("GB82WEST12345698765432", "", "bic_required", "iban"),  # a bank schwifty does not know
])
def test_check_account_refuses_what_cannot_be_debited(iban, bic, code, field):
    with pytest.raises(InvalidInput) as refused:
        wallet.check_account(iban=iban, bic=bic)
    assert (refused.value.code, refused.value.field) == (code, field)


def test_signing_a_mandate_keeps_the_signed_pdf_and_mails_it(world, provider, settings):
    method = _sign(world, provider, settings, who=world.billing_admin, signer_name="Bruno Billing")
    stored = _method(world, method.id)
    assert (stored.kind, stored.status, stored.iban_country, stored.iban_last4, stored.bic) == (
        "sepa_debit", "active", "FR", "2606", "PSSTFRPP")
    assert stored.holder_name == "Acme SAS" and stored.created_by == world.billing_admin.user_id
    reference = stored.mandate_reference
    assert is_mandate_reference(reference) and reference.startswith(f"LCA-{world.company_id:06d}-")
    with read_scope(world.engine) as s:
        saved = s.exec(select(SandboxPaymentMethod).where(
            SandboxPaymentMethod.method_id == stored.provider_method_id)).one()
        signature = s.exec(select(MandateSignature).where(MandateSignature.payment_method_id == method.id)).one()
    assert (saved.kind, saved.mandate_reference, saved.last4) == ("sepa_debit", reference, "2606")
    assert hashlib.sha256(signature.document_pdf).hexdigest() == signature.document_sha256
    assert signature.document_pdf.startswith(b"%PDF")
    assert (signature.ip, signature.user_agent) == ("203.0.113.7", "Mozilla/5.0 (tests)")
    assert (signature.signer_name, signature.signer_email, signature.user_id) == (
        "Bruno Billing", "billing-admin@acme.example", world.billing_admin.user_id)
    assert signature.holder_address == "12 rue des Lilas, 75011 Paris"
    assert (signature.signed_at, signature.document_locale) == (NOW, "fr")
    mails = {m.to_address: m for m in _mails(world.engine, "mandate")}
    assert set(mails) == {"billing-admin@acme.example", "billing@acme.example"}
    for message in mails.values():
        assert message.attachment == signature.document_pdf
        assert message.attachment_name == f"Mandat-SEPA-{reference}.pdf"
        assert reference in message.subject and reference in message.text_body
    [signed] = _audit(world.engine, "mandate.signed")
    assert signed.subject == f"mandate:{reference}" and signed.detail["document_sha256"] == signature.document_sha256
    assert signed.actor_email == "billing-admin@acme.example" and signed.ip == "203.0.113.7"
    notices = _mails(world.engine, "wallet_change")
    assert {m.to_address for m in notices} == {"billing@acme.example", "admin@acme.example",
                                               "billing-admin@acme.example"}
    assert all(reference in m.text_body and "Prélèvement SEPA •••• 2606" in m.text_body for m in notices)


def test_each_mandate_gets_its_own_reference(world, provider, settings):
    first = _sign(world, provider, settings)
    second = _sign(world, provider, settings, iban="DE89 3704 0044 0532 0130 00")
    assert first.mandate_reference != second.mandate_reference
    assert _method(world, second.id).bic == "COBADEFFXXX"
    assert len(_rows(world.engine, MandateSignature)) == 2


def test_a_mandate_for_all_contracts_pays_them_and_becomes_the_default(world, provider, settings):
    method = _sign(world, provider, settings, use_for_all=True)
    assert _paid_by(world) == {"CTR-A1": method.id, "CTR-A2": method.id, "CTR-A0": None, "CTR-G1": None}
    assert _method(world, method.id).is_default


def _nothing_kept(w: World) -> None:
    assert _count(w.engine, PaymentMethod) == 0
    assert _count(w.engine, MandateSignature) == 0
    assert _count(w.engine, SandboxPaymentMethod, SandboxPaymentMethod.detached_at.is_(None)) == 0
    assert _count(w.engine, OutboxMessage) == 0
    assert _audit(w.engine, "mandate.signed") == []


@pytest.mark.parametrize(("changes", "code", "field"), [
    ({"holder_name": "  "}, "holder_name_required", "holder_name"),
    ({"address": ""}, "address_required", "address"),
    ({"address": "   "}, "address_required", "address"),
    ({"postal_code": ""}, "postal_code_required", "postal_code"),
    ({"city": " "}, "city_required", "city"),
    ({"city": "Paris\x00"}, "city_required", "city"),
    ({"signer_name": ""}, "signer_name_required", "signer_name"),
    ({"authorized": False}, "authorization_required", "authorized"),
    ({"authorized": "true"}, "authorization_required", "authorized"),  # only a ticked box counts
    ({"iban": "FR1420041010050500013M02607"}, "iban_checksum", "iban"),
    ({"iban": "BR1800360305000010009795493C1"}, "iban_not_sepa", "iban"),
    ({"bic": "DEUTDEFF"}, "bic_invalid", "bic"),
])
def test_each_missing_or_wrong_field_of_the_mandate_is_named_and_nothing_is_saved(world, provider, settings,
                                                                                  changes, code, field):
    with pytest.raises(InvalidInput) as refused:
        _sign(world, provider, settings, **changes)
    assert (refused.value.code, refused.value.field) == (code, field)
    _nothing_kept(world)


def test_a_real_account_is_refused_in_the_sandbox_and_nothing_is_kept(world, provider, settings):
    with pytest.raises(InvalidInput) as refused:
        _sign(world, provider, settings, iban=LIVE_IBAN)
    assert (refused.value.code, refused.value.field) == ("live_iban_in_sandbox", "iban")
    _nothing_kept(world)


def test_without_a_provider_no_mandate_is_signed(world, settings):
    with pytest.raises(InvalidInput) as off:
        _sign(world, None, settings)
    assert off.value.code == "payments_unavailable"
    _nothing_kept(world)


def test_a_mandate_that_fails_after_the_account_was_attached_is_detached_and_nothing_kept(
        world, provider, settings, monkeypatch):
    from lcadmin.services.payment_methods import mandates

    def broken(*_args):
        raise RuntimeError("the PDF worker died")

    monkeypatch.setattr(mandates, "render", broken)
    with pytest.raises(RuntimeError):
        _sign(world, provider, settings)
    assert _count(world.engine, PaymentMethod) == 0 and _count(world.engine, MandateSignature) == 0
    assert _count(world.engine, OutboxMessage) == 0 and _audit(world.engine, "mandate.signed") == []
    [attached] = _rows(world.engine, SandboxPaymentMethod)
    assert attached.kind == "sepa_debit" and attached.detached_at is not None  # the provider forgot it too


def test_the_mandate_mails_follow_each_readers_language_with_the_same_signed_pdf(world, provider, settings):
    method = _sign(world, provider, settings, locale="en")
    mails = {m.to_address: m for m in _mails(world.engine, "mandate")}
    assert mails["admin@acme.example"].subject.startswith("Your SEPA Direct Debit mandate")
    assert mails["billing@acme.example"].subject.startswith("Votre mandat de prélèvement SEPA")
    assert mails["admin@acme.example"].attachment == mails["billing@acme.example"].attachment
    assert {m.attachment_name for m in mails.values()} == {f"SEPA-mandate-{method.mandate_reference}.pdf"}


@pytest.mark.parametrize(("locale", "wording", "other", "filename"), [
    ("fr", "En signant ce formulaire de mandat", "By signing this mandate form", "Mandat-SEPA"),
    ("en", "By signing this mandate form", "En signant ce formulaire de mandat", "SEPA-mandate"),
])
def test_the_mandate_pdf_states_the_creditor_the_reference_and_the_account_in_the_signers_language(
        world, provider, settings, locale, wording, other, filename):
    method = _sign(world, provider, settings, locale=locale)
    with read_scope(world.engine) as s:
        name, pdf = wallet.mandate_pdf(s, _ctx(world.admin, locale="fr"), str(method.id))
    assert name == f"{filename}-{method.mandate_reference}.pdf"  # named in the language it was signed in
    text = _pdf_text(pdf)
    for expected in ("FR72ZZZ123456", method.mandate_reference, IBAN_GROUPED, "Northwind SAS", wording,
                     "PSSTFRPP", "Acme SAS", "12 rue des Lilas", "75011 Paris", "Alice Admin", "admin@acme.example"):
        assert expected in text, expected
    assert other not in text


def test_the_mandate_pdf_is_returned_exactly_as_signed_also_once_revoked(world, provider, settings):
    method = _sign(world, provider, settings)
    with read_scope(world.engine) as s:
        stored = s.exec(select(MandateSignature)).one().document_pdf
        _name, pdf = wallet.mandate_pdf(s, _ctx(world.billing_admin), method.id)
    assert pdf == stored
    _remove(world, settings, provider, method.id)
    with read_scope(world.engine) as s:
        _name, again = wallet.mandate_pdf(s, _ctx(world.admin), str(method.id))
    assert again == stored
    with pytest.raises(NotFound) as other, read_scope(world.engine) as s:
        wallet.mandate_pdf(s, _ctx(world.other_admin), str(method.id))
    assert other.value.code == "payment_method_not_found"


def test_a_card_has_no_mandate_pdf(world, provider, settings):
    _add_card(world, provider, settings)
    with pytest.raises(NotFound) as missing, read_scope(world.engine) as s:
        wallet.mandate_pdf(s, _ctx(world.admin), str(_last(world).id))
    assert missing.value.code == "payment_method_not_found"


def test_mandate_terms_name_the_creditor_and_its_identifier(settings):
    legal, rights, creditor = wallet.mandate_terms("fr", settings.vendor)
    assert legal.startswith("En signant ce formulaire de mandat") and "Northwind SAS" in legal
    assert "8 semaines" in rights
    assert "Northwind SAS" in creditor and "FR72ZZZ123456" in creditor
    assert wallet.mandate_terms("en", settings.vendor)[0].startswith("By signing this mandate form")


# Which method pays which contract, and the default


def _notices(w: World) -> dict[str, list[OutboxMessage]]:
    by_address: dict[str, list[OutboxMessage]] = {}
    for message in _mails(w.engine, "wallet_change"):
        by_address.setdefault(message.to_address, []).append(message)
    return by_address


def test_choosing_a_card_for_a_contract_is_audited_and_announced_to_the_owners(world, provider, settings):
    _add_card(world, provider, settings)
    card = _last(world)
    before = len(_mails(world.engine, "wallet_change"))
    assert _choose(world, settings, "CTR-A1", str(card.id), who=world.billing_admin) is True
    assert _paid_by(world)["CTR-A1"] == card.id and _paid_by(world)["CTR-A2"] is None
    [event] = _audit(world.engine, "contract.payment_method")
    assert event.subject == "contract:CTR-A1" and event.actor_email == "billing-admin@acme.example"
    assert event.detail == {"previous": TRANSFER, "method": f"payment_method:{card.id}"}
    notices = _mails(world.engine, "wallet_change")[before:]
    assert sorted(m.to_address for m in notices) == ["admin@acme.example", "billing-admin@acme.example",
                                                     "billing@acme.example"]  # never the member
    for message in notices:
        assert "billing-admin@acme.example" in message.text_body  # who did it
        assert ("Le contrat CTR-A1 est désormais payé par Visa •••• 4242 (auparavant\xa0: Virement bancaire)."
                in message.text_body)
        assert message.subject == "Vos modes de paiement ont été modifiés — Acme"


def test_each_owner_reads_the_notice_in_their_own_language(world, provider, settings):
    with session_scope(world.engine) as s:
        s.get(UserAccount, world.billing_admin.user_id).locale = "en"
    _add_card(world, provider, settings)
    _choose(world, settings, "CTR-A2", str(_last(world).id))
    english = _notices(world)["billing-admin@acme.example"][-1]
    french = _notices(world)["billing@acme.example"][-1]
    assert "The contract CTR-A2 is now paid by Visa •••• 4242 (previously: Bank transfer)." in english.text_body
    assert re.search(r"(?<![-\w])admin@acme\.example", english.text_body) and english.subject.startswith("Your payment methods")
    assert "Le contrat CTR-A2" in french.text_body


def test_an_inactive_account_gets_no_notice(world, provider, settings):
    with session_scope(world.engine) as s:
        s.get(UserAccount, world.billing_admin.user_id).is_active = False
    _add_card(world, provider, settings)
    assert set(_notices(world)) == {"billing@acme.example", "admin@acme.example"}


def test_a_contract_can_be_paid_by_a_mandate_then_by_transfer(world, provider, settings):
    mandate = _sign(world, provider, settings)
    assert _choose(world, settings, "CTR-A2", str(mandate.id)) is True
    assert _paid_by(world)["CTR-A2"] == mandate.id
    assert _choose(world, settings, "CTR-A2", TRANSFER) is True
    assert _paid_by(world)["CTR-A2"] is None
    details = [e.detail for e in _audit(world.engine, "contract.payment_method")]
    assert details == [{"previous": TRANSFER, "method": f"payment_method:{mandate.id}"},
                       {"previous": f"payment_method:{mandate.id}", "method": TRANSFER}]
    last = _notices(world)["billing@acme.example"][-1].text_body
    assert "Le contrat CTR-A2 est désormais payé par Virement bancaire (auparavant\xa0: Prélèvement SEPA •••• 2606)" \
        in last


def test_choosing_what_a_contract_already_uses_changes_and_sends_nothing(world, provider, settings):
    _add_card(world, provider, settings)
    card = _last(world)
    _choose(world, settings, "CTR-A1", card.id)
    before = (len(_rows(world.engine, AuditEvent)), len(_rows(world.engine, OutboxMessage)))
    assert _choose(world, settings, "CTR-A1", str(card.id)) is False
    assert _choose(world, settings, "CTR-A2", TRANSFER) is False
    assert (len(_rows(world.engine, AuditEvent)), len(_rows(world.engine, OutboxMessage))) == before


def test_an_expired_card_cannot_pay_a_contract_nor_be_the_default(world, settings):
    expired = _insert_card(world.engine, world.company_id, 10, 2026)
    for attempt, field in ((lambda: _choose(world, settings, "CTR-A1", str(expired)), "method"),
                           (lambda: _set_default(world, settings, str(expired)), "default")):
        with pytest.raises(InvalidInput) as refused:
            attempt()
        assert (refused.value.code, refused.value.field) == ("method_not_usable", field)
    assert _paid_by(world)["CTR-A1"] is None and not _method(world, expired).is_default


def test_a_card_expiring_this_month_still_pays(world, settings):
    card = _insert_card(world.engine, world.company_id, 11, 2026)  # valid until 30 November
    assert _choose(world, settings, "CTR-A1", str(card)) is True


def test_a_pending_card_cannot_be_chosen(world, provider, settings):
    _add_card(world, provider, settings, number=THREE_DS)
    with pytest.raises(InvalidInput) as refused:
        _choose(world, settings, "CTR-A1", str(_last(world).id))
    assert refused.value.code == "method_not_usable"


def test_another_companys_method_cannot_be_chosen(world, provider, settings):
    _add_card(world, provider, settings, who=world.other_admin)
    theirs = _last(world, world.other_company_id)
    for attempt in (lambda: _choose(world, settings, "CTR-A1", str(theirs.id)),
                    lambda: _set_default(world, settings, str(theirs.id))):
        with pytest.raises(InvalidInput) as refused:
            attempt()
        assert refused.value.code == "method_not_usable"
    assert _paid_by(world)["CTR-A1"] is None and not _method(world, theirs.id).is_default


@pytest.mark.parametrize("number", ["CTR-NOPE", "CTR-G1", "CTR-A0", "", "ctr-a1", "CTR-A1 OR 1=1", "x" * 500])
def test_a_contract_not_in_force_at_the_company_is_not_found(world, provider, settings, number):
    _add_card(world, provider, settings)
    with pytest.raises(NotFound) as missing:
        _choose(world, settings, number, str(_last(world).id))
    assert missing.value.code == "contract_not_found"
    assert set(_paid_by(world).values()) == {None}
    assert _audit(world.engine, "contract.payment_method") == []


def test_the_default_is_set_changed_and_given_back_to_transfer(world, provider, settings):
    _add_card(world, provider, settings)
    card = _last(world)
    mandate = _sign(world, provider, settings)
    assert _set_default(world, settings, str(card.id)) is True
    assert _view(world, settings).default == str(card.id)
    assert _set_default(world, settings, str(card.id)) is False
    assert _set_default(world, settings, mandate.id) is True
    assert [m.id for m in _methods(world) if m.is_default] == [mandate.id]  # one default at a time
    assert _set_default(world, settings, TRANSFER) is True
    assert [m.id for m in _methods(world) if m.is_default] == []
    assert _view(world, settings).default == TRANSFER
    events = _audit(world.engine, "payment_method.default")
    assert [(e.subject, e.detail["previous"]) for e in events] == [
        (f"payment_method:{card.id}", TRANSFER), (f"payment_method:{mandate.id}", f"payment_method:{card.id}"),
        (TRANSFER, f"payment_method:{mandate.id}")]
    last = _notices(world)["admin@acme.example"][-1].text_body
    assert ("Le mode de paiement par défaut est désormais Virement bancaire (auparavant\xa0: Prélèvement SEPA •••• 2606)"
            in last)


# Removing a method


def test_a_method_paying_a_contract_needs_a_replacement(world, provider, settings):
    _add_card(world, provider, settings)
    card = _last(world)
    _choose(world, settings, "CTR-A1", str(card.id))
    before = (len(_rows(world.engine, AuditEvent)), len(_rows(world.engine, OutboxMessage)))
    for replacement in ("", None, str(card.id), card.id):
        with pytest.raises(InvalidInput) as refused:
            _remove(world, settings, provider, str(card.id), replacement)
        assert (refused.value.code, refused.value.field) == ("replacement_required", "replacement")
    assert _method(world, card.id).status == "active" and _paid_by(world)["CTR-A1"] == card.id
    assert (len(_rows(world.engine, AuditEvent)), len(_rows(world.engine, OutboxMessage))) == before
    with read_scope(world.engine) as s:
        assert s.exec(select(SandboxPaymentMethod.detached_at).where(
            SandboxPaymentMethod.method_id == card.provider_method_id)).one() is None


def test_removing_with_a_replacement_moves_its_contracts_in_the_same_call(world, provider, settings):
    _add_card(world, provider, settings, use_for_all=True)
    old = _last(world)
    mandate = _sign(world, provider, settings)
    handed = _remove(world, settings, provider, str(old.id), str(mandate.id))
    assert handed == ["CTR-A1", "CTR-A2"]
    assert _paid_by(world) == {"CTR-A1": mandate.id, "CTR-A2": mandate.id, "CTR-A0": None, "CTR-G1": None}
    removed = _method(world, old.id)
    assert removed.status == "removed" and removed.removed_at == NOW and removed.detached_at == NOW
    assert not removed.is_default and _method(world, mandate.id).is_default  # the default went along
    with read_scope(world.engine) as s:
        assert s.exec(select(SandboxPaymentMethod.detached_at).where(
            SandboxPaymentMethod.method_id == old.provider_method_id)).one() is not None
    [event] = _audit(world.engine, "payment_method.removed")
    assert event.detail == {"kind": "card", "replacement": f"payment_method:{mandate.id}"}
    last = _notices(world)["billing@acme.example"][-1].text_body
    assert "La carte Visa •••• 4242 a été supprimée." in last
    assert "Ses contrats (CTR-A1, CTR-A2) sont désormais payés par Prélèvement SEPA •••• 2606." in last


def test_removing_with_transfer_as_replacement_leaves_the_contracts_to_transfer(world, provider, settings):
    _add_card(world, provider, settings, use_for_all=True)
    card = _last(world)
    assert _remove(world, settings, provider, card.id, TRANSFER) == ["CTR-A1", "CTR-A2"]
    assert set(_paid_by(world).values()) == {None}
    assert _view(world, settings).default == TRANSFER


def test_the_default_needs_a_replacement_even_when_it_pays_nothing(world, provider, settings):
    _add_card(world, provider, settings)
    card = _last(world)
    _set_default(world, settings, str(card.id))
    with pytest.raises(InvalidInput) as refused:
        _remove(world, settings, provider, str(card.id))
    assert (refused.value.code, refused.value.field) == ("replacement_required", "replacement")
    assert _method(world, card.id).is_default and _method(world, card.id).status == "active"
    assert _remove(world, settings, provider, str(card.id), TRANSFER) == []
    assert _view(world, settings).default == TRANSFER


def test_an_expired_card_or_another_companys_method_cannot_take_over(world, provider, settings):
    _add_card(world, provider, settings)
    card = _last(world)
    _choose(world, settings, "CTR-A1", str(card.id))
    expired = _insert_card(world.engine, world.company_id, 1, 2026)
    _add_card(world, provider, settings, who=world.other_admin)
    theirs = _last(world, world.other_company_id)
    for replacement in (str(expired), str(theirs.id), "abc"):
        with pytest.raises(InvalidInput) as refused:
            _remove(world, settings, provider, str(card.id), replacement)
        assert (refused.value.code, refused.value.field) == ("method_not_usable", "replacement")
    assert _method(world, card.id).status == "active" and _paid_by(world)["CTR-A1"] == card.id


def test_a_removed_method_cannot_be_removed_again_nor_chosen(world, provider, settings):
    _add_card(world, provider, settings)
    card = _last(world)
    assert _remove(world, settings, provider, str(card.id)) == []  # unused, not the default: no replacement
    assert _method(world, card.id).status == "removed"
    with pytest.raises(NotFound) as again:
        _remove(world, settings, provider, str(card.id))
    assert again.value.code == "payment_method_not_found"
    for attempt in (lambda: _choose(world, settings, "CTR-A1", str(card.id)),
                    lambda: _set_default(world, settings, str(card.id))):
        with pytest.raises(InvalidInput) as refused:
            attempt()
        assert refused.value.code == "method_not_usable"
    assert len(_audit(world.engine, "payment_method.removed")) == 1


def test_a_removed_method_cannot_take_over_either(world, provider, settings):
    _add_card(world, provider, settings)
    gone = _last(world)
    _remove(world, settings, provider, gone.id)
    _add_card(world, provider, settings, use_for_all=True)
    card = _last(world)
    with pytest.raises(InvalidInput) as refused:
        _remove(world, settings, provider, card.id, str(gone.id))
    assert refused.value.code == "method_not_usable"


def test_a_revoked_mandate_stays_listed_while_a_removed_card_disappears(world, provider, settings):
    mandate = _sign(world, provider, settings)
    _add_card(world, provider, settings)
    card = _last(world)
    _remove(world, settings, provider, mandate.id)
    _remove(world, settings, provider, card.id)
    view = _view(world, settings)
    assert view.cards == ()
    [row] = view.mandates
    assert (row.id, row.status_label, row.status_tone, row.usable, row.can_remove) == (
        str(mandate.id), "Révoqué", "neutral", False, False)
    assert row.reference == mandate.mandate_reference and row.account == "FR•• •••• 2606"
    assert [o.value for o in view.options] == [TRANSFER]
    texts = [m.text_body for m in _notices(world)["billing@acme.example"]]
    assert any("Le mandat de prélèvement Prélèvement SEPA •••• 2606 a été révoqué." in t for t in texts)


# Who may do it


def _every_call(w: World, provider, settings, method_id: str, setup_id: str):
    vendor = settings.vendor
    return {
        "list_wallet": lambda s, c: wallet.list_wallet(s, c, vendor=vendor),
        "start_card_setup": lambda s, c: wallet.start_card_setup(
            s, c, form=CardSetupInput("Marc Member", CardInput(OK, "12/28", "123"), False),
            idempotency_key=uuid.uuid4().hex, provider=provider, settings=settings),
        "card_setup_awaiting": lambda s, c: wallet.card_setup_awaiting(s, c, setup_id=setup_id),
        "complete_card_setup": lambda s, c: wallet.complete_card_setup(s, c, setup_id=setup_id, approved=True,
                                                                       provider=provider, settings=settings),
        "sign_mandate": lambda s, c: wallet.sign_mandate(s, c, form=_form(), provider=provider, settings=settings),
        "mandate_pdf": lambda s, c: wallet.mandate_pdf(s, c, method_id),
        "choose_for_contract": lambda s, c: wallet.choose_for_contract(s, c, contract_number="CTR-A1",
                                                                       choice=method_id, settings=settings),
        "set_default": lambda s, c: wallet.set_default(s, c, choice=method_id, settings=settings),
        "remove_method": lambda s, c: wallet.remove_method(s, c, method_id=method_id, replacement=TRANSFER,
                                                           settings=settings, provider=provider),
    }


@pytest.mark.parametrize("call", ["list_wallet", "start_card_setup", "card_setup_awaiting", "complete_card_setup",
                                  "sign_mandate", "mandate_pdf", "choose_for_contract", "set_default",
                                  "remove_method"])
@pytest.mark.parametrize("who", ["member", "no_company", "signed_out"])
def test_without_billing_access_every_call_is_forbidden(world, provider, settings, call, who):
    mandate = _sign(world, provider, settings, use_for_all=True)
    setup_id = _setup_id(_add_card(world, provider, settings, number=THREE_DS))
    caller = {"member": world.member,
              "no_company": Principal(world.member.user_id, world.member.email, "Marc Member", None, None, None),
              "signed_out": None}[who]
    before = (_paid_by(world), [(m.id, m.status, m.is_default) for m in _methods(world)],
              _count(world.engine, OutboxMessage), _count(world.engine, AuditEvent))
    with pytest.raises(NotAllowed) as refused, session_scope(world.engine) as s:
        _every_call(world, provider, settings, str(mandate.id), setup_id)[call](s, _ctx(caller))
    assert refused.value.code == ("signed_out" if who == "signed_out" else "forbidden")
    after = (_paid_by(world), [(m.id, m.status, m.is_default) for m in _methods(world)],
             _count(world.engine, OutboxMessage), _count(world.engine, AuditEvent))
    assert after == before


@pytest.mark.parametrize("role", [Role.ADMIN, Role.BILLING_ADMIN])
def test_billing_and_full_admins_manage_the_wallet(world, provider, settings, role):
    who = world.admin if role is Role.ADMIN else world.billing_admin
    _add_card(world, provider, settings, who=who)
    card = _last(world)
    view = _view(world, settings, who=who)
    assert view.can_manage and [r.can_remove for r in view.cards] == [True]
    assert _choose(world, settings, "CTR-A1", str(card.id), who=who)
    assert _set_default(world, settings, str(card.id), who=who)
    assert _remove(world, settings, provider, str(card.id), TRANSFER, who=who) == ["CTR-A1"]


def test_another_companys_ids_are_not_found_anywhere(world, provider, settings):
    mandate = _sign(world, provider, settings)
    _add_card(world, provider, settings)
    card = _last(world)
    setup_id = _setup_id(_add_card(world, provider, settings, number=THREE_DS))
    _choose(world, settings, "CTR-A1", str(card.id))
    _add_card(world, provider, settings, who=world.other_admin, use_for_all=True)  # pays CTR-G1
    theirs = _last(world, world.other_company_id)
    before = (_paid_by(world), [(m.id, m.status, m.is_default) for m in _methods(world)])
    intruder = _ctx(world.other_admin)
    for method_id in (str(card.id), str(mandate.id)):
        with pytest.raises(NotFound) as missing, session_scope(world.engine) as s:
            wallet.remove_method(s, intruder, method_id=method_id, replacement=TRANSFER, settings=settings,
                                 provider=provider)
        assert missing.value.code == "payment_method_not_found"
        with pytest.raises(InvalidInput), session_scope(world.engine) as s:
            wallet.choose_for_contract(s, intruder, contract_number="CTR-G1", choice=method_id, settings=settings)
        with pytest.raises(InvalidInput), session_scope(world.engine) as s:
            wallet.set_default(s, intruder, choice=method_id, settings=settings)
        with pytest.raises(InvalidInput) as taking, session_scope(world.engine) as s:
            wallet.remove_method(s, intruder, method_id=str(theirs.id), replacement=method_id, settings=settings,
                                 provider=provider)
        assert (taking.value.code, taking.value.field) == ("method_not_usable", "replacement")
    with pytest.raises(NotFound), read_scope(world.engine) as s:
        wallet.mandate_pdf(s, intruder, str(mandate.id))
    with pytest.raises(NotFound), read_scope(world.engine) as s:
        wallet.card_setup_awaiting(s, intruder, setup_id=setup_id)
    with pytest.raises(NotFound), session_scope(world.engine) as s:
        wallet.complete_card_setup(s, intruder, setup_id=setup_id, approved=True, provider=provider,
                                   settings=settings)
    with pytest.raises(NotFound) as contract, session_scope(world.engine) as s:
        wallet.choose_for_contract(s, intruder, contract_number="CTR-A1", choice=TRANSFER, settings=settings)
    assert contract.value.code == "contract_not_found"
    assert (_paid_by(world), [(m.id, m.status, m.is_default) for m in _methods(world)]) == before
    assert _method(world, theirs.id).status == "active" and _paid_by(world)["CTR-G1"] == theirs.id
    with read_scope(world.engine) as s:  # still waiting for its own holder's answer
        assert s.exec(select(SandboxSetupIntent.status).where(
            SandboxSetupIntent.setup_id == setup_id)).one() == "requires_action"
    assert {r.id for r in _view(world, settings, who=world.other_admin).cards} == {str(theirs.id)}


ODD_IDS = ["-1", "1 OR 1=1", 10**30, None, [], "abc", "", "0", "1.0", " 1", "1e3", {"id": 1}, "9" * 13, True]


@pytest.mark.parametrize("odd", ODD_IDS, ids=repr)
def test_odd_method_ids_are_refused_cleanly(world, provider, settings, odd):
    _add_card(world, provider, settings)  # method 1 exists and is the company's
    assert _last(world).id == 1
    calls = [
        lambda s, c: wallet.remove_method(s, c, method_id=odd, replacement=TRANSFER, settings=settings,
                                          provider=provider),
        lambda s, c: wallet.choose_for_contract(s, c, contract_number="CTR-A1", choice=odd, settings=settings),
        lambda s, c: wallet.set_default(s, c, choice=odd, settings=settings),
        lambda s, c: wallet.mandate_pdf(s, c, odd),
        lambda s, c: wallet.card_setup_awaiting(s, c, setup_id=odd if isinstance(odd, str) else ""),
    ]
    for call in calls:
        with pytest.raises(ServiceError) as refused, session_scope(world.engine) as s:
            call(s, _ctx(world.admin))
        assert isinstance(refused.value, NotFound | InvalidInput)
        assert refused.value.code in ("payment_method_not_found", "method_not_usable")
    assert _last(world).status == "active" and set(_paid_by(world).values()) == {None}


@pytest.mark.parametrize("odd", ["²", "¹²"])
def test_superscript_digits_as_a_method_id_are_refused_cleanly(world, provider, settings, odd):
    _add_card(world, provider, settings)
    with pytest.raises(NotFound), session_scope(world.engine) as s:
        wallet.remove_method(s, _ctx(world.admin), method_id=odd, replacement=TRANSFER, settings=settings,
                             provider=provider)


# The wallet page


def test_the_wallet_lists_each_methods_status_expiry_account_contracts_and_default(world, provider, settings):
    expired = _insert_card(world.engine, world.company_id, 10, 2026, last4="0001")
    expiring = _insert_card(world.engine, world.company_id, 12, 2026, last4="0002", brand="mastercard")
    _add_card(world, provider, settings, expiry="03/29")
    card = _last(world)
    mandate = _sign(world, provider, settings)
    _choose(world, settings, "CTR-A1", str(expiring))
    _choose(world, settings, "CTR-A2", str(mandate.id))
    _set_default(world, settings, str(card.id))
    now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # 29 days before the end of December
    view = _view(world, settings, now=now)
    cards = {r.id: r for r in view.cards}
    assert set(cards) == {str(expired), str(expiring), str(card.id)}
    assert (cards[str(expiring)].status_label, cards[str(expiring)].status_tone) == ("Expire bientôt", "warning")
    assert (cards[str(expiring)].label, cards[str(expiring)].expiry) == ("Mastercard •••• 0002", "12/26")
    assert cards[str(expiring)].contracts == "CTR-A1" and cards[str(expiring)].in_use
    assert (cards[str(expired)].status_label, cards[str(expired)].usable) == ("Expirée", False)
    assert cards[str(expired)].expiry == "10/26" and not cards[str(expired)].in_use
    assert (cards[str(card.id)].status_label, cards[str(card.id)].status_tone) == ("Active", "success")
    assert cards[str(card.id)].is_default and cards[str(card.id)].expiry == "03/29"
    assert cards[str(card.id)].contracts == "" and cards[str(card.id)].in_use  # the default is in use
    [row] = view.mandates
    assert (row.account, row.bic, row.status_label, row.contracts, row.holder) == (
        "FR•• •••• 2606", "PSSTFRPP", "Actif", "CTR-A2", "Acme SAS")
    assert row.signed_on and "2026" in row.signed_on and row.label == "Prélèvement SEPA •••• 2606"
    assert view.default == str(card.id)
    assert [(c.number, c.method, c.method_label) for c in view.contracts] == [
        ("CTR-A1", str(expiring), "Mastercard •••• 0002"), ("CTR-A2", str(mandate.id), "Prélèvement SEPA •••• 2606")]
    values = [o.value for o in view.options]
    assert str(expired) not in values and values[-1] == TRANSFER
    assert set(values) == {str(expiring), str(card.id), str(mandate.id), TRANSFER}
    assert (view.transfer_iban, view.transfer_bic, view.transfer_beneficiary) == (
        "FR76 3000 6000 0112 3456 7890 189", "AGRIFRPPXXX", "Northwind SAS")
    assert view.transfer_contracts == "" and view.can_manage


def test_the_wallet_speaks_english(world, provider, settings):
    _insert_card(world.engine, world.company_id, 11, 2026, last4="0003")
    _insert_card(world.engine, world.company_id, 9, 2026, last4="0004")
    _sign(world, provider, settings)
    view = _view(world, settings, locale="en")
    labels = {r.label: r.status_label for r in view.cards + view.mandates}
    assert labels == {"Visa •••• 0003": "Expires soon", "Visa •••• 0004": "Expired",
                      "SEPA Direct Debit •••• 2606": "Active"}
    assert view.options[-1].label == "Bank transfer" and view.contracts[0].method_label == "Bank transfer"
    assert view.transfer_contracts == "CTR-A1, CTR-A2"


def test_a_pending_card_is_listed_awaiting_3d_secure(world, provider, settings):
    _add_card(world, provider, settings, number=THREE_DS)
    [row] = _view(world, settings).cards
    assert (row.status_label, row.status_tone, row.usable) == ("En attente de 3-D Secure", "warning", False)


def test_another_companys_methods_are_not_listed(world, provider, settings):
    _add_card(world, provider, settings, who=world.other_admin)
    _sign(world, provider, settings, who=world.other_admin)
    view = _view(world, settings)
    assert (view.cards, view.mandates) == ((), ())
    assert [c.number for c in view.contracts] == ["CTR-A1", "CTR-A2"]  # in force, and its own only


def test_cards_expiring_or_expired_while_paying_a_contract_raise_the_warning(world, settings):
    card = _insert_card(world.engine, world.company_id, 12, 2026)
    _choose(world, settings, "CTR-A1", str(card))
    assert _view(world, settings).expiring == 0  # 35 days left
    assert _view(world, settings, now=datetime(2026, 12, 2, 9, tzinfo=UTC)).expiring == 1
    later = _view(world, settings, now=datetime(2027, 1, 5, 9, tzinfo=UTC))  # expired, still paying CTR-A1
    [row] = later.cards
    assert later.expiring == 1 and (row.status_label, row.usable, row.contracts) == ("Expirée", False, "CTR-A1")
    assert [o.value for o in later.options] == [TRANSFER]
    assert [(c.number, c.method) for c in later.contracts] == [("CTR-A1", str(card)), ("CTR-A2", TRANSFER)]


def test_an_expiring_card_that_pays_nothing_raises_no_warning(world, settings):
    _insert_card(world.engine, world.company_id, 11, 2026)
    assert _view(world, settings).expiring == 0


# Expiry notices


def _run_notices(w: World, settings, now: datetime) -> int:
    with session_scope(w.engine) as s:
        return wallet.send_expiry_notices(s, system(now), settings=settings)


def _expiry_mails(w: World) -> Counter:
    return Counter(m.to_address for m in _mails(w.engine, "card_expiry"))


OWNERS = {"billing@acme.example", "admin@acme.example", "billing-admin@acme.example"}


def test_a_card_is_announced_30_days_then_7_days_before_it_expires_once_each(world, settings):
    card = _insert_card(world.engine, world.company_id, 12, 2026)  # valid until 31 December
    _choose(world, settings, "CTR-A1", str(card))
    assert _run_notices(world, settings, datetime(2026, 11, 30, 9, tzinfo=UTC)) == 0  # 31 days: not yet
    assert _run_notices(world, settings, datetime(2026, 12, 6, 9, tzinfo=UTC)) == 1  # 25 days
    assert set(_expiry_mails(world)) == OWNERS and set(_expiry_mails(world).values()) == {1}
    message = _mails(world.engine, "card_expiry")[0]
    assert message.subject == "La carte Visa •••• 1111 expire bientôt — Acme"
    assert "expire fin 12/26, dans 25 jours" in message.text_body and "CTR-A1" in message.text_body
    [event] = _audit(world.engine, "payment_method.expiry_notice")
    assert event.detail == {"days": 30} and event.subject == f"payment_method:{card}"
    assert _method(world, card).expiry_notice_days == 30
    for day in (6, 7, 23):  # again the same day, and the days after: nothing more
        assert _run_notices(world, settings, datetime(2026, 12, day, 9, tzinfo=UTC)) == 0
    assert sum(_expiry_mails(world).values()) == 3
    assert _run_notices(world, settings, datetime(2026, 12, 25, 9, tzinfo=UTC)) == 1  # 6 days
    assert _run_notices(world, settings, datetime(2026, 12, 25, 18, tzinfo=UTC)) == 0
    assert _run_notices(world, settings, datetime(2026, 12, 31, 9, tzinfo=UTC)) == 0
    assert set(_expiry_mails(world).values()) == {2}
    assert [e.detail["days"] for e in _audit(world.engine, "payment_method.expiry_notice")] == [30, 7]
    assert "dans 6 jours" in _mails(world.engine, "card_expiry")[-1].text_body


def test_a_card_saved_5_days_before_it_expires_gets_only_the_7_day_notice(world, settings):
    card = _insert_card(world.engine, world.company_id, 11, 2026)  # valid until 30 November
    assert _run_notices(world, settings, datetime(2026, 11, 25, 9, tzinfo=UTC)) == 1
    assert _run_notices(world, settings, datetime(2026, 11, 26, 9, tzinfo=UTC)) == 0
    assert set(_expiry_mails(world).values()) == {1} and set(_expiry_mails(world)) == OWNERS
    assert [e.detail for e in _audit(world.engine, "payment_method.expiry_notice")] == [{"days": 7}]
    assert _method(world, card).expiry_notice_days == 7
    assert "Elle ne paie aucun contrat" in _mails(world.engine, "card_expiry")[0].text_body


def test_only_active_cards_in_their_last_30_days_are_announced(world, provider, settings):
    _insert_card(world.engine, world.company_id, 2, 2027)  # 92 days
    _insert_card(world.engine, world.company_id, 10, 2026)  # already expired
    _insert_card(world.engine, world.company_id, 12, 2026, status="removed")
    _insert_card(world.engine, world.company_id, 12, 2026, status="pending")
    _sign(world, provider, settings)  # mandates do not expire
    assert _run_notices(world, settings, datetime(2026, 12, 6, 9, tzinfo=UTC)) == 0
    assert _mails(world.engine, "card_expiry") == []


def test_the_notice_day_follows_the_vendors_calendar(world, settings):
    _insert_card(world.engine, world.company_id, 12, 2026)
    # 23:30 UTC on 30 November is already 1 December in Paris: 30 days before 31 December.
    assert _run_notices(world, settings, datetime(2026, 11, 30, 22, 59, tzinfo=UTC)) == 0
    assert _run_notices(world, settings, datetime(2026, 11, 30, 23, 30, tzinfo=UTC)) == 1


def test_concurrent_runs_send_each_notice_exactly_once(world, settings):
    cards = [_insert_card(world.engine, world.company_id, 12, 2026, last4="0011"),
             _insert_card(world.engine, world.company_id, 12, 2026, last4="0022"),
             _insert_card(world.engine, world.other_company_id, 12, 2026, last4="0033")]
    barrier = threading.Barrier(4)

    def run(now: datetime) -> int:
        barrier.wait(timeout=60)
        with session_scope(world.engine) as s:
            return wallet.send_expiry_notices(s, system(now), settings=settings)

    for now, per_card in ((datetime(2026, 12, 6, 9, tzinfo=UTC), 1), (datetime(2026, 12, 25, 9, tzinfo=UTC), 2)):
        with ThreadPoolExecutor(max_workers=4) as pool:
            sent = list(pool.map(run, [now] * 4))
        assert sum(sent) == len(cards)
        assert _expiry_mails(world) == Counter({address: 2 * per_card for address in OWNERS}
                                               | {"billing@globex.example": per_card,
                                                  "admin@globex.example": per_card})
    assert Counter(e.subject for e in _audit(world.engine, "payment_method.expiry_notice")) == Counter(
        {f"payment_method:{card}": 2 for card in cards})


# The provider clean-up


class _DetachFailsOnce:
    """The sandbox, whose first detach call fails (the provider is down)."""

    def __init__(self, inner: SandboxProvider):
        self._inner, self.calls, self._failures = inner, [], 1

    def __getattr__(self, name: str):
        return getattr(self._inner, name)

    def detach_method(self, method_id: str) -> None:
        self.calls.append(method_id)
        if self._failures:
            self._failures -= 1
            raise ConnectionError("provider unreachable")
        self._inner.detach_method(method_id)


def _sandbox_detached(w: World, method: PaymentMethod) -> datetime | None:
    with read_scope(w.engine) as s:
        return s.exec(select(SandboxPaymentMethod.detached_at).where(
            SandboxPaymentMethod.method_id == method.provider_method_id)).one()


def test_a_removal_whose_detach_failed_is_detached_by_the_next_run(world, provider, settings):
    flaky = _DetachFailsOnce(provider)
    _add_card(world, provider, settings)
    card = _last(world)
    assert _remove(world, settings, flaky, str(card.id)) == []  # the removal stands, the provider failed
    removed = _method(world, card.id)
    assert removed.status == "removed" and removed.detached_at is None
    assert _sandbox_detached(world, card) is None
    later = datetime(2026, 11, 26, 9, 5, tzinfo=UTC)
    with session_scope(world.engine) as s:
        assert wallet.detach_removed(s, system(later), provider=flaky) == 1
    assert _method(world, card.id).detached_at == later and _sandbox_detached(world, card) is not None
    assert flaky.calls == [card.provider_method_id, card.provider_method_id]
    with session_scope(world.engine) as s:
        assert wallet.detach_removed(s, system(later), provider=flaky) == 0
    assert len(flaky.calls) == 2


def test_the_clean_up_keeps_trying_while_the_provider_is_down(world, provider, settings):
    _add_card(world, provider, settings)
    card = _last(world)
    with session_scope(world.engine) as s:  # removed without a provider at hand
        wallet.remove_method(s, _ctx(world.admin), method_id=card.id, settings=settings, provider=None)
    flaky = _DetachFailsOnce(provider)
    with session_scope(world.engine) as s:
        assert wallet.detach_removed(s, system(NOW), provider=flaky) == 0
        assert wallet.detach_removed(s, system(NOW), provider=None) == 0
    assert _method(world, card.id).detached_at is None
    with session_scope(world.engine) as s:
        assert wallet.detach_removed(s, system(NOW), provider=flaky) == 1
    assert _sandbox_detached(world, card) is not None


# The sandbox provider


class _Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _sandbox(engine: Engine, clock: _Clock) -> SandboxProvider:
    return SandboxProvider(engine, today=date(2026, 11, 26), settle_after=timedelta(minutes=2), clock=clock)


def _saved_card(sandbox: SandboxProvider, customer: str, number: str) -> str:
    token = sandbox.tokenize_card(number=number.replace(" ", ""), exp_month=12, exp_year=2028, cvc="123")
    return sandbox.setup_card(customer_id=customer, token_id=token.token_id,
                              idempotency_key=uuid.uuid4().hex).method_id


def _charge(sandbox: SandboxProvider, customer: str, method_id: str, key: str | None = None):
    return sandbox.charge_saved(customer_id=customer, method_id=method_id, amount_minor=150_00, currency="EUR",
                                idempotency_key=key or uuid.uuid4().hex, description="F2026-00001")


@pytest.mark.parametrize(("iban", "status", "code"), [(IBAN_GROUPED, "succeeded", None),
                                                       ("DE89370400440532013000", "succeeded", None),
                                                       ("FR88 3000 4000 0100 000A M040 013", "failed", "AM04")])
def test_a_sepa_debit_stays_processing_until_the_bank_delay_then_settles(engine, iban, status, code):
    clock = _Clock(NOW)
    sandbox = _sandbox(engine, clock)
    customer = sandbox.create_customer(reference="company:1", name="Acme SAS")
    account = sandbox.attach_sepa_debit(customer_id=customer, iban=iban, holder_name="Acme SAS",
                                        mandate_reference="LCA-000001-ABC")
    assert (account.kind, account.brand, account.last4) == ("sepa_debit", "sepa", iban.replace(" ", "")[-4:])
    intent = _charge(sandbox, customer, account.method_id)
    assert intent.status == "processing"
    clock.now = NOW + timedelta(minutes=1, seconds=59)
    assert sandbox.retrieve_intent(intent.intent_id).status == "processing"
    clock.now = NOW + timedelta(minutes=2)
    settled = sandbox.retrieve_intent(intent.intent_id)
    assert (settled.status, settled.failure_code) == (status, code)
    clock.now = NOW + timedelta(days=1)
    assert sandbox.retrieve_intent(intent.intent_id) == settled  # the bank's answer does not change


def test_the_sandbox_refuses_a_real_account(engine):
    sandbox = _sandbox(engine, _Clock(NOW))
    customer = sandbox.create_customer(reference="company:1", name="Acme SAS")
    with pytest.raises(BankAccountError) as refused:
        sandbox.attach_sepa_debit(customer_id=customer, iban=LIVE_IBAN, holder_name="Acme SAS",
                                  mandate_reference="LCA-000001-ABC")
    assert refused.value.code == "live_iban_in_sandbox"
    assert _count(engine, SandboxPaymentMethod) == 0


@pytest.mark.parametrize(("number", "status", "code"), [
    (OK, "succeeded", None),
    ("4000 0027 6000 3184", "requires_action", None),  # 3-D Secure on every charge
])
def test_a_saved_card_is_charged_off_session(engine, number, status, code):
    sandbox = _sandbox(engine, _Clock(NOW))
    customer = sandbox.create_customer(reference="company:1", name="Acme SAS")
    token = sandbox.tokenize_card(number=number.replace(" ", ""), exp_month=12, exp_year=2028, cvc="123")
    setup = sandbox.setup_card(customer_id=customer, token_id=token.token_id, idempotency_key="setup:k1")
    if setup.status == "requires_action":
        setup = sandbox.complete_setup_authentication(setup.setup_id, approved=True)
    assert setup.status == "succeeded"
    intent = _charge(sandbox, customer, setup.method_id)
    assert (intent.status, intent.failure_code) == (status, code)


def test_a_card_saved_with_3d_secure_is_charged_off_session_without_it(engine):
    sandbox = _sandbox(engine, _Clock(NOW))
    customer = sandbox.create_customer(reference="company:1", name="Acme SAS")
    token = sandbox.tokenize_card(number="4000002500003155", exp_month=12, exp_year=2028, cvc="123")
    setup = sandbox.setup_card(customer_id=customer, token_id=token.token_id, idempotency_key="setup:k1")
    assert setup.status == "requires_action" and setup.action_url == f"/payments/authenticate/{setup.setup_id}"
    assert sandbox.complete_setup_authentication(setup.setup_id, approved=True).status == "succeeded"
    assert _charge(sandbox, customer, setup.method_id).status == "succeeded"


@pytest.mark.parametrize(("number", "code"), [(DECLINED, "card_declined"), (WRONG_CVC, "incorrect_cvc"),
                                               (EXPIRED_AT_BANK, "expired_card"),
                                               ("4000 0000 0000 9995", "insufficient_funds"),
                                               ("5555 5555 5555 4444", "live_card_in_sandbox")])
def test_the_sandbox_never_attaches_a_refused_card(engine, number, code):
    sandbox = _sandbox(engine, _Clock(NOW))
    customer = sandbox.create_customer(reference="company:1", name="Acme SAS")
    token = sandbox.tokenize_card(number=number.replace(" ", ""), exp_month=12, exp_year=2028, cvc="123")
    setup = sandbox.setup_card(customer_id=customer, token_id=token.token_id, idempotency_key="setup:k1")
    assert (setup.status, setup.failure_code) == ("failed", code)
    [saved] = _rows(engine, SandboxPaymentMethod)
    assert saved.customer_id is None
    assert _charge(sandbox, customer, setup.method_id).failure_code == "payment_method_unavailable"


def test_a_detached_or_another_customers_method_cannot_be_charged(engine):
    clock = _Clock(NOW)
    sandbox = _sandbox(engine, clock)
    acme = sandbox.create_customer(reference="company:1", name="Acme SAS")
    globex = sandbox.create_customer(reference="company:2", name="Globex SAS")
    card = _saved_card(sandbox, acme, OK)
    for customer, method_id in ((globex, card), (acme, "pm_unknown")):
        intent = _charge(sandbox, customer, method_id)
        assert (intent.status, intent.failure_code) == ("failed", "payment_method_unavailable")
    clock.now = NOW + timedelta(hours=1)
    sandbox.detach_method(card)
    sandbox.detach_method(card)  # twice: the first time counts
    [saved] = _rows(engine, SandboxPaymentMethod)
    assert saved.detached_at == NOW + timedelta(hours=1)
    assert _charge(sandbox, acme, card).failure_code == "payment_method_unavailable"
    sandbox.detach_method("pm_unknown")  # nothing to forget: no error


def test_the_sandbox_answers_a_retried_request_with_the_same_record(engine):
    sandbox = _sandbox(engine, _Clock(NOW))
    customer = sandbox.create_customer(reference="company:1", name="Acme SAS")
    assert sandbox.create_customer(reference="company:1", name="Acme SAS") == customer
    assert _count(engine, SandboxCustomer) == 1
    card = _saved_card(sandbox, customer, OK)
    first = _charge(sandbox, customer, card, key="collect:1:1")
    assert _charge(sandbox, customer, card, key="collect:1:1") == first
    token = sandbox.tokenize_card(number="4242424242424242", exp_month=12, exp_year=2028, cvc="123")
    setup = sandbox.setup_card(customer_id=customer, token_id=token.token_id, idempotency_key="setup:same")
    assert sandbox.setup_card(customer_id=customer, token_id=token.token_id, idempotency_key="setup:same") == setup
    with pytest.raises(ValueError):
        sandbox.charge_saved(customer_id=customer, method_id=card, amount_minor=0, currency="EUR",
                             idempotency_key="zero", description="nothing")
    with pytest.raises(KeyError):
        sandbox.retrieve_intent("pi_unknown")
    with pytest.raises(KeyError):
        sandbox.complete_setup_authentication("seti_unknown", approved=True)


def test_the_sandbox_knows_its_test_cards_and_accounts():
    from lcadmin.payments.sandbox import TEST_ACCOUNTS, TEST_CARDS

    assert TEST_CARDS["4242424242424242"] == "succeed" and TEST_CARDS["4000002500003155"] == "authenticate"
    assert TEST_ACCOUNTS == {IBAN: "succeed", "DE89370400440532013000": "succeed",
                             "FR88300040000100000AM040013": "AM04"}
    for iban in TEST_ACCOUNTS:  # each is a valid account the mandate form accepts
        assert wallet.check_account(iban=iban).iban.replace(" ", "") == iban


# "Payer en ligne" with a card of the wallet, in one click


def _open_invoice(w: World) -> str:
    with session_scope(w.engine) as s:
        return factories.invoice(s, s.get(Company, w.company_id)).number


def _method_id(w: World, last4: str) -> str:
    with read_scope(w.engine) as s:
        return str(s.exec(select(PaymentMethod.id).where(PaymentMethod.card_last4 == last4)).one())


def _pay_saved(w: World, provider, settings, number: str, method_id: object, *, key: str | None = None,
               who: Principal | None = None):
    with session_scope(w.engine) as s:
        return payments.pay(s, _ctx(who or w.admin), kind="invoice", number=number,
                            idempotency_key=key or uuid.uuid4().hex, card=None, provider=provider,
                            vendor=settings.vendor, method_id=method_id)


def test_an_open_invoice_is_paid_with_a_saved_card_in_one_click_and_once(world, provider, settings):
    _add_card(world, provider, settings)
    number, card = _open_invoice(world), _method_id(world, "4242")
    key = uuid.uuid4().hex
    first = _pay_saved(world, provider, settings, number, card, key=key)
    again = _pay_saved(world, provider, settings, number, card, key=key)  # a double click
    assert first.status.value == again.status.value == "succeeded" and first.invoice_number == number
    with read_scope(world.engine) as s:
        [paid] = s.exec(select(Payment)).all()
        charged = s.exec(select(SandboxIntent).where(SandboxIntent.status == "succeeded")).all()
        invoice = s.exec(select(Invoice).where(Invoice.number == number)).one()
    assert (paid.card_last4, paid.payment_method_id, paid.receipt_number is not None) == ("4242", int(card), True)
    assert len(charged) == 1 and invoice.status == "paid"


def test_a_saved_card_that_asks_authentication_sends_the_payer_to_3d_secure(world, provider, settings):
    outcome = _add_card(world, provider, settings, number="4000 0027 6000 3184")
    with session_scope(world.engine) as s:
        wallet.complete_card_setup(s, _ctx(world.admin), setup_id=outcome.action_url.rsplit("/", 1)[1], approved=True,
                                   provider=provider, settings=settings)
    number = _open_invoice(world)
    asked = _pay_saved(world, provider, settings, number, _method_id(world, "3184"))
    assert asked.status.value == "requires_action" and asked.action_url.startswith("/payments/authenticate/pi_")
    with session_scope(world.engine) as s:
        done = payments.complete_authentication(s, _ctx(world.admin), intent_id=asked.action_url.rsplit("/", 1)[1],
                                                approved=True, provider=provider, vendor=settings.vendor)
    assert done.status.value == "succeeded"


def test_only_a_usable_card_of_the_companys_own_wallet_pays_in_one_click(world, provider, settings):
    _add_card(world, provider, settings)
    _sign(world, provider, settings)
    number = _open_invoice(world)
    with session_scope(world.engine) as s:
        other = wallet.start_card_setup(s, _ctx(world.other_admin), form=CardSetupInput(
            "Gina Globex", CardInput(OK, "12/28", "123"), False), idempotency_key=uuid.uuid4().hex,
            provider=provider, settings=settings)
        assert other.status == "active"
        globex_card = s.exec(select(PaymentMethod.id).where(PaymentMethod.company_id == world.other_company_id)).one()
        mandate = s.exec(select(PaymentMethod.id).where(PaymentMethod.kind == "sepa_debit")).one()
        expired = PaymentMethod(company_id=world.company_id, kind="card", status="active", provider_method_id="pm_old",
                                holder_name="Alice Admin", card_brand="visa", card_last4="0005", exp_month=10,
                                exp_year=2026)
        s.add(expired)
        s.flush()
        expired_id = expired.id
    for refused in (globex_card, mandate, expired_id, "1 OR 1=1", "²", "-1"):
        with pytest.raises(InvalidInput) as error:
            _pay_saved(world, provider, settings, number, refused)
        assert error.value.code == "method_not_usable", refused
    with read_scope(world.engine) as s:
        assert s.exec(select(Payment)).all() == []
        assert [label for _, label in payments.saved_cards(s, _ctx(world.admin), date(2026, 11, 26))] == [
            "Visa •••• 4242"]
        assert payments.saved_cards(s, _ctx(world.member), date(2026, 11, 26)) == []
