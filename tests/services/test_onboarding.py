"""The activation flow's rules, branch by branch, on a real database with the demo data."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from lcadmin.db import read_scope, session_scope
from lcadmin.domain.money import amount_problem
from lcadmin.domain.statuses import LinkPurpose
from lcadmin.domain.terms import TERMS_VERSION
from lcadmin.models import (
    ActionToken,
    ActivationRequest,
    AuditEvent,
    Membership,
    OutboxMessage,
    TermsAcceptance,
    UserAccount,
)
from lcadmin.services import onboarding
from lcadmin.services.accounts import authenticate, sign_up
from lcadmin.services.errors import InvalidInput, LinkProblem, NotAllowed, Throttled
from lcadmin.services.onboarding import ProofRejected
from lcadmin.services.sessions import Principal
from tests.factories import context
from tests.helpers import race

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
IP = "203.0.113.7"


def start(engine, settings, email, *, ip=IP, now=NOW, locale="fr"):
    with session_scope(engine) as session:
        return onboarding.start_access(session, context(ip=ip, now=now, locale=locale), email=email,
                                       settings=settings).outcome


def prove(engine, settings, email, reference, amount, *, ip=IP, now=NOW, locale="fr"):
    with session_scope(engine) as session:
        return onboarding.submit_proof(session, context(ip=ip, now=now, locale=locale), email=email,
                                       reference=reference, amount=amount, settings=settings).outcome


def outbox(engine, to=None):
    with read_scope(engine) as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if to:
            query = query.where(OutboxMessage.to_address == to)
        return list(session.exec(query))


def link_secret(message: OutboxMessage, path: str = "activate") -> str:
    match = re.search(rf"http://localhost:3000/{path}/([A-Za-z0-9_-]+)", message.text_body)
    assert match, message.text_body
    return match.group(1)


def _as(account, now=NOW):
    """The request context of a call by ``account`` (an AccountView or a UserAccount), signed in."""
    user_id = getattr(account, "user_id", None) or account.id
    return context(ip=IP, now=now, principal=Principal(user_id, account.email, account.full_name, None, None, None))


def confirm(engine, secret, now=NOW):
    with session_scope(engine) as session:
        return onboarding.confirm_activation(session, context(ip=IP, now=now), secret=secret)


# --- the e-mail step -------------------------------------------------------------------------

def test_a_primary_contact_gets_the_activation_email(demo, settings):
    assert start(demo, settings, "CMartin@Flexis.com ") == "activation_sent"
    [mail] = outbox(demo)
    assert mail.to_address == "cmartin@flexis.com"
    assert mail.subject == "Bienvenue dans le Northwind Admin Center"
    assert "Activer mon compte" in mail.text_body and "Activer mon compte" in mail.html_body
    assert link_secret(mail)


def test_the_billing_contact_gets_it_too_in_english_when_asked_in_english(demo, settings):
    assert start(demo, settings, "compta@flexis.com", locale="en") == "activation_sent"
    [mail] = outbox(demo)
    assert mail.subject == "Welcome to the Northwind Admin Center"
    assert "Activate my account" in mail.html_body


def test_someone_who_already_manages_users_is_told_to_sign_in_and_gets_no_email(demo, settings):
    assert start(demo, settings, "hbernard@flexis.com") == "sign_in"
    assert outbox(demo) == []


def test_anyone_else_must_prove_authority(demo, settings):
    assert start(demo, settings, "aleroy@flexis.com") == "proof_needed"
    assert outbox(demo) == []


@pytest.mark.parametrize(("typed", "code"), [("", "email_empty"), ("aleroy", "email_invalid"),
                                             ("aleroy@", "email_invalid"), ("a b@flexis.com", "email_invalid")])
def test_a_malformed_address_is_refused_with_a_code(demo, settings, typed, code):
    with pytest.raises(InvalidInput) as error:
        start(demo, settings, typed)
    assert (error.value.code, error.value.field) == (code, "email")


def test_the_email_step_is_rate_limited_per_ip(demo, settings):
    for n in range(20):
        start(demo, settings, f"probe{n}@flexis.com")
    with pytest.raises(Throttled):
        start(demo, settings, "aleroy@flexis.com")
    assert start(demo, settings, "aleroy@flexis.com", ip="198.51.100.1") == "proof_needed"


# --- the proof step --------------------------------------------------------------------------

@pytest.mark.parametrize(("reference", "amount"), [
    ("FLD102776277396", "3 600"), ("fld-1027 7627 7396", "3600"), ("FLD102776277396", "3 600,00 €"),
    ("FLD102776277396", "3,600.00"), ("FLD102776277396", "4 320,00"), ("FLD102776277396", "3\u202f600"),
    ("F2026-00001", "4320"), ("f2026 00005", "150,00"),
])
def test_an_issued_order_or_invoice_and_its_subtotal_or_total_prove_authority(demo, settings, reference, amount):
    assert prove(demo, settings, "aleroy@flexis.com", reference, amount) == "activation_sent"
    mails = outbox(demo, "aleroy@flexis.com")
    assert [m.subject for m in mails] == ["Bienvenue dans le Northwind Admin Center"]


def test_the_contacts_are_alerted_with_a_way_to_report(demo, settings):
    prove(demo, settings, "aleroy@flexis.com", "FLD102776277396", "3 600")
    for contact in ("cmartin@flexis.com", "compta@flexis.com"):
        [alert] = outbox(demo, contact)
        assert "aleroy@flexis.com" in alert.text_body and "la commande FLD102776277396" in alert.text_body
        assert link_secret(alert, "report")


@pytest.mark.parametrize(("reference", "amount"), [
    ("FLD102776277396", "3 601"), ("FLD102776277396", "720"), ("FLD000000000000", "3 600"),
    ("F2026-00003", "84"),   # a credit note never proves anything
    ("ACM204455120087", "3 600"),
])
def test_anything_that_does_not_match_gets_one_generic_answer(demo, settings, reference, amount):
    with pytest.raises(ProofRejected) as error:
        prove(demo, settings, "aleroy@flexis.com", reference, amount)
    assert error.value.code == "proof_mismatch"
    assert outbox(demo) == []


@pytest.mark.parametrize(("amount", "code"), [("0", "amount_zero"), ("0,00 €", "amount_zero"), ("-3600", "amount_negative"),
                                              ("abc", "amount_malformed"), ("", "amount_empty")])
def test_unusable_amounts_are_refused_before_anything_is_counted(demo, settings, amount, code):
    with pytest.raises(InvalidInput) as error:
        prove(demo, settings, "aleroy@flexis.com", "FLD102776277396", amount)
    assert (error.value.code, error.value.field) == (code, "amount")
    assert amount_problem(amount) == code


def test_five_failures_lock_the_proof_even_for_the_right_answer(demo, settings):
    for _ in range(5):
        with pytest.raises(ProofRejected):
            prove(demo, settings, "aleroy@flexis.com", "FLD102776277396", "1 000")
    with pytest.raises(Throttled) as locked:
        prove(demo, settings, "aleroy@flexis.com", "FLD102776277396", "3 600")
    assert locked.value.until >= NOW + timedelta(minutes=5)
    assert prove(demo, settings, "aleroy@flexis.com", "FLD102776277396", "3 600",
                 now=locked.value.until + timedelta(seconds=1)) == "activation_sent"


def test_the_company_is_locked_whatever_the_address_and_ip(demo, settings):
    for n in range(5):
        with pytest.raises(ProofRejected):
            prove(demo, settings, f"guesser{n}@example.org", "FLD102776277396", str(1000 + n), ip=f"192.0.2.{n}")
    # The right amount from a fresh address and IP gets the generic refusal, not "locked": a
    # "locked" answer given only for real numbers would tell strangers which numbers exist.
    for reference, amount in (("FLD102776277396", "3 600"), ("F2026-00001", "12"), ("F2099-99999", "12")):
        with pytest.raises(ProofRejected):
            prove(demo, settings, "someone@elsewhere.example", reference, amount, ip="192.0.2.200")
    assert outbox(demo) == []
    later = NOW + timedelta(hours=25)  # the company's lock is over, this address's failures too
    assert prove(demo, settings, "someone@flexis.com", "FLD102776277396", "3 600", ip="192.0.2.201",
                 now=later) == "activation_sent"


def test_junk_references_from_the_companys_domain_never_lock_the_company(demo, settings):
    """Made-up numbers count against the address and the IP that send them, never against the
    company whose domain the addresses are at: its real requester still gets through."""
    for n in range(30):
        with pytest.raises((ProofRejected, Throttled)):
            prove(demo, settings, f"troll{n % 3}@flexis.com", f"FLD{900000000000 + n}", "1 000",
                  ip=f"198.51.100.{n % 4}")
    assert prove(demo, settings, "aleroy@flexis.com", "FLD102776277396", "3 600",
                 ip="203.0.113.99") == "activation_sent"


def test_wrong_amounts_for_a_real_document_still_lock_its_company(demo, settings):
    for n in range(5):
        with pytest.raises(ProofRejected):
            prove(demo, settings, f"guess{n}@flexis.com", "F2026-00001", str(100 + n), ip=f"192.0.2.{n}")
    with pytest.raises(ProofRejected):  # locked: the right total gets the generic answer
        prove(demo, settings, "aleroy@flexis.com", "FLD102776277396", "3 600", ip="203.0.113.99")


@pytest.mark.parametrize("amount", ["3600 USD", "$3,600.00", "3 600 £", "3600 CHF", "٣٦٠٠", "3600 € USD"])
def test_an_amount_in_another_currency_or_other_digits_proves_nothing(demo, settings, amount):
    with pytest.raises((ProofRejected, InvalidInput)):
        prove(demo, settings, "aleroy@flexis.com", "FLD102776277396", amount)
    assert outbox(demo) == []


@pytest.mark.parametrize("amount", ["3600 EUR", "3 600 euros", "3600€", "３６００"])
def test_the_documents_own_currency_may_be_written(demo, settings, amount):
    assert prove(demo, settings, "aleroy@flexis.com", "FLD102776277396", amount) == "activation_sent"


def test_locks_grow_on_repeat(demo, settings):
    now, durations = NOW, []
    for _ in range(3):
        for _ in range(5):
            with pytest.raises(ProofRejected):
                prove(demo, settings, "aleroy@flexis.com", "FLD102776277396", "1", now=now)
        with pytest.raises(Throttled) as locked:
            prove(demo, settings, "aleroy@flexis.com", "FLD102776277396", "1", now=now)
        durations.append(locked.value.until - now)
        now = locked.value.until + timedelta(seconds=1)
    assert durations[0] >= timedelta(minutes=5)
    assert durations[0] < durations[1] < durations[2]


def test_the_lock_never_blocks_the_companys_existing_users(demo, settings):
    for _ in range(6):
        with pytest.raises((ProofRejected, Throttled)):
            prove(demo, settings, "aleroy@flexis.com", "FLD102776277396", "1")
    with session_scope(demo) as session:
        assert authenticate(session, context(ip=IP, now=NOW), email="hbernard@flexis.com",
                            password="Northwind-demo-2026")


@pytest.mark.slow
def test_ten_thousand_automated_guesses_never_get_through(demo, settings):
    """Every amount from 1 € to 10 000 €, the right one (3 600 €) included, one guess a second
    from rotating addresses and IPs: the company lock holds them all off."""
    accepted = 0
    now = NOW
    for euros in range(1, 10_001):
        now += timedelta(seconds=1)
        try:
            prove(demo, settings, f"bot{euros % 97}@flexis.com", "FLD102776277396", str(euros),
                  ip=f"10.{euros % 7}.{euros % 11}.{euros % 13}", now=now)
            accepted += 1
        except (ProofRejected, Throttled):
            pass
    assert accepted == 0
    assert outbox(demo) == []


def test_failures_never_write_the_amount_or_a_token_in_the_audit_trail(demo, settings):
    with pytest.raises(ProofRejected):
        prove(demo, settings, "aleroy@flexis.com", "FLD102776277396", "3 599,99")
    prove(demo, settings, "aleroy@flexis.com", "FLD102776277396", "3 600")
    secret = link_secret(outbox(demo, "aleroy@flexis.com")[0])
    with read_scope(demo) as session:
        events = session.exec(select(AuditEvent)).all()
    dumped = " ".join(str(e.model_dump()) for e in events)
    for leaked in ("3599", "359999", "3 599", secret):
        assert leaked not in dumped
    assert {"access.proof"} <= {e.action for e in events}


# --- addresses outside the company's domains ------------------------------------------------

def test_an_unknown_domain_waits_for_a_contacts_approval(demo, settings):
    assert prove(demo, settings, "a.leroy@gmail.com", "FLD102776277396", "3 600") == "awaiting_approval"
    assert outbox(demo, "a.leroy@gmail.com") == []
    approval = outbox(demo, "cmartin@flexis.com")[0]
    assert "Approuver" in approval.text_body and "Refuser" in approval.text_body
    approve = link_secret(approval, "decision")
    with session_scope(demo) as session:
        view = onboarding.inspect_link(session, context(now=NOW), secret=approve, purposes=(LinkPurpose.APPROVE, LinkPurpose.REFUSE))
        assert (view.state, view.purpose, view.requester) == ("valid", "approve", "a.leroy@gmail.com")
    with session_scope(demo) as session:
        assert onboarding.decide_approval(session, context(ip=IP, now=NOW), secret=approve, settings=settings) == "approved"
    [activation] = outbox(demo, "a.leroy@gmail.com")
    assert activation.subject == "Bienvenue dans le Northwind Admin Center"
    refuse = re.findall(r"/decision/([A-Za-z0-9_-]+)", outbox(demo, "compta@flexis.com")[0].text_body)[1]
    with pytest.raises(LinkProblem), session_scope(demo) as session:
        onboarding.decide_approval(session, context(ip=IP, now=NOW), secret=refuse, settings=settings)


def test_a_refusal_gives_nothing_and_says_so(demo, settings):
    prove(demo, settings, "a.leroy@gmail.com", "FLD102776277396", "3 600")
    refuse = re.findall(r"/decision/([A-Za-z0-9_-]+)", outbox(demo, "cmartin@flexis.com")[0].text_body)[1]
    with session_scope(demo) as session:
        assert onboarding.decide_approval(session, context(ip=IP, now=NOW), secret=refuse, settings=settings) == "refused"
    [mail] = outbox(demo, "a.leroy@gmail.com")
    assert "refusé" in mail.text_body


# --- links and tokens ------------------------------------------------------------------------

def test_tokens_are_256_bit_and_only_their_hash_is_stored(demo, settings):
    start(demo, settings, "cmartin@flexis.com")
    secret = link_secret(outbox(demo)[0])
    assert len(secret) >= 43  # 32 random bytes, base64url
    with read_scope(demo) as session:
        token = session.exec(select(ActionToken)).one()
    assert secret not in token.token_hash and len(token.token_hash) == 64


def test_opening_the_link_does_not_use_it_only_the_button_does(demo, settings):
    start(demo, settings, "cmartin@flexis.com")
    secret = link_secret(outbox(demo)[0])
    for _ in range(3):  # a mail scanner, a preview, the person
        with read_scope(demo) as session:
            view = onboarding.inspect_link(session, context(now=NOW), secret=secret, purposes=(LinkPurpose.ACTIVATE,))
        assert (view.state, view.company_name) == ("valid", "Flexis")
    assert confirm(demo, secret)
    with pytest.raises(LinkProblem) as again:
        confirm(demo, secret)
    assert again.value.code == "link_used"


def test_an_expired_or_unknown_link_is_refused(demo, settings):
    start(demo, settings, "cmartin@flexis.com")
    secret = link_secret(outbox(demo)[0])
    with pytest.raises(LinkProblem) as expired:
        confirm(demo, secret, now=NOW + timedelta(hours=settings.activation_ttl_hours, seconds=1))
    assert expired.value.code == "link_expired"
    with pytest.raises(LinkProblem) as unknown:
        confirm(demo, "x" * 43)
    assert unknown.value.code == "link_unknown"


def test_a_new_request_revokes_the_older_link(demo, settings):
    start(demo, settings, "cmartin@flexis.com")
    first = link_secret(outbox(demo)[0])
    start(demo, settings, "cmartin@flexis.com", now=NOW + timedelta(minutes=1))
    second = link_secret(outbox(demo)[1])
    with pytest.raises(LinkProblem):
        confirm(demo, first)
    assert confirm(demo, second)


def test_resend_replaces_the_link_and_is_limited(demo, settings):
    start(demo, settings, "cmartin@flexis.com")
    first = link_secret(outbox(demo)[0])
    with session_scope(demo) as session:
        onboarding.resend_activation(session, context(ip=IP, now=NOW), email="cmartin@flexis.com", settings=settings)
    assert len(outbox(demo)) == 2
    with pytest.raises(LinkProblem):
        confirm(demo, first)
    for _ in range(2):
        with session_scope(demo) as session:
            onboarding.resend_activation(session, context(ip=IP, now=NOW), email="cmartin@flexis.com", settings=settings)
    with pytest.raises(Throttled), session_scope(demo) as session:
        onboarding.resend_activation(session, context(ip=IP, now=NOW), email="cmartin@flexis.com", settings=settings)


def test_nobody_can_flood_a_contact_with_activation_emails(demo, settings):
    for _ in range(4):  # from one IP: four in 15 minutes
        assert start(demo, settings, "cmartin@flexis.com", ip="198.51.100.1") == "activation_sent"
    with pytest.raises(Throttled) as locked:
        start(demo, settings, "cmartin@flexis.com", ip="198.51.100.1")
    assert locked.value.until == NOW + timedelta(minutes=15)
    for n in range(8):  # from anywhere: twelve in an hour
        assert start(demo, settings, "cmartin@flexis.com", ip=f"203.0.113.{n}") == "activation_sent"
    with pytest.raises(Throttled):
        start(demo, settings, "cmartin@flexis.com", ip="203.0.113.99")
    assert len(outbox(demo, "cmartin@flexis.com")) == 12
    for _ in range(4):  # a proof sends activation e-mails too, and counts the same way
        assert prove(demo, settings, "aleroy@flexis.com", "FLD102776277396", "3 600") == "activation_sent"
    with pytest.raises(Throttled):
        prove(demo, settings, "aleroy@flexis.com", "FLD102776277396", "3 600")
    with read_scope(demo) as session:  # each refusal is on record
        refused = session.exec(select(AuditEvent).where(AuditEvent.action == "access.activation_mail")).all()
    assert sorted(e.actor_email for e in refused) == ["aleroy@flexis.com", "cmartin@flexis.com", "cmartin@flexis.com"]
    assert {e.outcome for e in refused} == {"denied"}
    later = NOW + timedelta(hours=1, minutes=1)  # the locks do not grow: an hour at most
    assert start(demo, settings, "cmartin@flexis.com", ip="203.0.113.99", now=later) == "activation_sent"


def test_ten_concurrent_clicks_exactly_one_wins(demo, settings):
    start(demo, settings, "cmartin@flexis.com")
    secret = link_secret(outbox(demo)[0])

    def click() -> str:
        try:
            confirm(demo, secret)
            return "won"
        except LinkProblem as problem:
            return problem.code

    assert race(10, click) == ["link_used"] * 9 + ["won"]


# --- finishing: sign-up, "Accepter et continuer", reporting ---------------------------------

def _activate_aleroy(engine, settings) -> str:
    """Aleroy proves the order and clicks her link: the secret her tab now holds."""
    prove(engine, settings, "aleroy@flexis.com", "FLD102776277396", "3 600")
    verified = confirm(engine, link_secret(outbox(engine, "aleroy@flexis.com")[0]))
    assert verified.company_name == "Flexis"
    return verified.secret


def test_accepting_the_terms_makes_the_account_billing_admin(demo, settings):
    held = _activate_aleroy(demo, settings)
    with session_scope(demo) as session:
        account = sign_up(session, context(ip=IP, now=NOW), full_name="Anne Leroy", email="anne.leroy@perso.example", password="un long chemin vers la facture")
    with session_scope(demo) as session:
        company_id = onboarding.complete_activation(session, _as(account, now=NOW), held=held, settings=settings)
    with read_scope(demo) as session:
        membership = session.exec(select(Membership).where(Membership.user_id == account.user_id)).one()
        acceptance = session.exec(select(TermsAcceptance)).one()
        request = session.exec(select(ActivationRequest)).one()
    assert (membership.company_id, membership.role) == (company_id, "billing_admin")
    assert acceptance.terms_version == TERMS_VERSION
    assert (request.status, request.granted_user_id) == ("completed", account.user_id)
    for contact in ("cmartin@flexis.com", "compta@flexis.com"):  # told again, now naming the account
        proved, granted = outbox(demo, contact)
        assert (proved.kind, granted.kind) == ("access_alert", "access_granted")
        assert "anne.leroy@perso.example" in granted.subject and "aleroy@flexis.com" in granted.text_body
        assert "la commande FLD102776277396" in granted.text_body and link_secret(granted, "report")
    with pytest.raises(NotAllowed), session_scope(demo) as session:  # a request completes once
        onboarding.complete_activation(session, _as(account, now=NOW), held=held, settings=settings)


def test_an_unverified_or_stale_request_cannot_be_completed(demo, settings):
    prove(demo, settings, "aleroy@flexis.com", "FLD102776277396", "3 600")
    with read_scope(demo) as session:
        hbernard = session.exec(select(UserAccount).where(UserAccount.email == "hbernard@flexis.com")).one()
    with pytest.raises(NotAllowed), session_scope(demo) as session:  # not verified: nothing to bring
        onboarding.complete_activation(session, _as(hbernard, now=NOW), held=None, settings=settings)
    held = confirm(demo, link_secret(outbox(demo, "aleroy@flexis.com")[0])).secret
    with pytest.raises(NotAllowed), session_scope(demo) as session:
        onboarding.complete_activation(session, _as(hbernard, now=NOW + onboarding.VERIFIED_WINDOW + timedelta(minutes=1)),
                                       held=held, settings=settings)


def test_only_the_secret_of_the_clicking_tab_finishes_an_activation(demo, settings):
    """Knowing the request (its id, its company, its requester) is worth nothing: only the secret
    handed to the browser tab that clicked the link finishes it, and only it is stored hashed."""
    held = _activate_aleroy(demo, settings)
    with read_scope(demo) as session:
        request = session.exec(select(ActivationRequest)).one()
        pdurand = session.exec(select(UserAccount).where(UserAccount.email == "pdurand@acme-logistique.fr")).one()
    assert request.status == "verified" and request.completion_hash not in (None, held)
    for guess in (str(request.id), request.completion_hash, "", "x" * 43, held[:-1] + ("A" if held[-1] != "A" else "B")):
        with pytest.raises(NotAllowed) as refused, session_scope(demo) as session:
            onboarding.complete_activation(session, _as(pdurand), held=guess,
                                           settings=settings)
        assert refused.value.code == "no_pending_activation"
        with read_scope(demo) as session:
            assert onboarding.pending_company_name(session, guess, NOW) is None
    with read_scope(demo) as session:
        assert onboarding.pending_company_name(session, held, NOW) == "Flexis"
        assert session.exec(select(Membership).where(Membership.user_id == pdurand.id,
                                                     Membership.company_id == request.company_id)).first() is None


def test_a_reported_access_is_withdrawn(demo, settings):
    held = _activate_aleroy(demo, settings)
    with session_scope(demo) as session:
        account = sign_up(session, context(ip=IP, now=NOW), full_name="Anne Leroy", email="aleroy@flexis.com", password="un long chemin vers la facture")
        onboarding.complete_activation(session, _as(account, now=NOW), held=held, settings=settings)
    report = link_secret(outbox(demo, "compta@flexis.com")[-1], "report")  # the notice of the granted access
    with session_scope(demo) as session:
        onboarding.report_access(session, context(ip=IP, now=NOW), secret=report)
    with read_scope(demo) as session:
        assert session.exec(select(Membership).where(Membership.user_id == account.user_id)).all() == []
        assert session.exec(select(ActivationRequest)).one().status == "revoked"
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "access.reported")).one()
