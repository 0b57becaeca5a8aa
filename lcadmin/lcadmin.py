"""The Reflex app: pages, the HTTP routes that carry the session cookie, the guards in front of
the event websocket, and the background jobs."""

import asyncio

import reflex as rx

from lcadmin.logs import configure_logging, install_log_redaction
from lcadmin.settings import get_settings

install_log_redaction()  # before anything can log a cookie or a payload
configure_logging(get_settings().log_format)

# Importing the models fills SQLModel.metadata, which `reflex db makemigrations / migrate` compare
# with the database (Reflex registers that shared metadata through its own rx.Model base).
from lcadmin import models, paths  # noqa: F401
from lcadmin.drain import EventsUnderWay, graceful_stop, health_gate
from lcadmin.event_observer import EventObserver
from lcadmin.jobs import run_outbox_sender, run_payment_reconciler, run_scheduled_jobs
from lcadmin.pages import (
    access,
    admin,
    auth,
    home,
    invoice,
    links,
    mailbox,
    not_found,
    order,
    password,
    payment,
    payment_methods,
)
from lcadmin.pages import admins as admins_pages
from lcadmin.pages import audit_log as audit_log_pages
from lcadmin.pages import licences as licences_pages
from lcadmin.pages import security as security_pages
from lcadmin.proxy import behind_proxy
from lcadmin.routes import http_routes, security_headers
from lcadmin.services import accounts
from lcadmin.session_guard import SessionGuard
from lcadmin.states.access import AccessState
from lcadmin.states.admins import AccessFormState, AdminsState, InvitationLinkState  # noqa: F401
from lcadmin.states.audit_log import AuditLogState
from lcadmin.states.auth import AuthState
from lcadmin.states.invoice import InvoiceState
from lcadmin.states.invoices import InvoicesState
from lcadmin.states.licences import AssignState, LicenceLinkState, LicencesState  # noqa: F401
from lcadmin.states.links import LinkState
from lcadmin.states.locale import RELABEL, TITLES, LocaleState, page_title
from lcadmin.states.mailbox import MailboxState
from lcadmin.states.order import OrderState
from lcadmin.states.orders import OrdersState
from lcadmin.states.overview import OverviewState
from lcadmin.states.password import PasswordState
from lcadmin.states.payment import AuthenticationState, PaymentState
from lcadmin.states.payment_methods import CardSetupState, MandateState, WalletState  # noqa: F401
from lcadmin.states.security import SecurityState, TwoFactorPolicyState
from lcadmin.states.shell import ShellState
from lcadmin.states.tab import PendingActivationState, TabState  # noqa: F401
from lcadmin.transport import backend_error, frontend_error, guard_events

_settings = get_settings()

app = rx.App(
    stylesheets=["/styles.css"],
    html_lang=_settings.default_locale,
    head_components=[rx.el.meta(name="color-scheme", content="light dark"),
                     rx.el.script(src="/card-fields.js", defer=True),
                     rx.el.script(src="/idle-warning.js", defer=True),
                     rx.el.script(src="/focus.js", defer=True),
                     rx.el.script(src="/reveal.js", defer=True)],
    api_transformer=[http_routes(), security_headers, behind_proxy, health_gate],
    backend_exception_handler=backend_error,
    frontend_exception_handler=frontend_error,
)
app.add_middleware(EventObserver())  # first: the request id is bound before anything of the event logs
app.add_middleware(EventsUnderWay())  # counted from here: a stop waits for it (lcadmin.drain)
app.add_middleware(SessionGuard())


def _page(component, route: str, *on_load, title: str = "", relabel: tuple = ()) -> None:
    # Every page first settles the language (and its title in it), then loads its own data;
    # ``relabel``: what shows its server-made text again when the visitor switches language on
    # it (by route, as ``router.page.path`` names it).
    app.add_page(component, route=route, title=page_title(title, _settings.default_locale),
                 on_load=[LocaleState.detect_locale, *on_load])
    RELABEL[route], TITLES[route] = list(relabel), title


def _public(component, route: str, *on_load, title: str = "", relabel: tuple = ()) -> None:
    # A page for visitors too: its header says who is signed in (Admin Center pages load that
    # with their own data, and send a visitor to sign in).
    _page(component, route, ShellState.identify, *on_load, title=title, relabel=relabel)


_public(home.home_page, paths.HOME, title="title.home")
_public(access.access_page, paths.ACCESS, AccessState.start, title="title.access", relabel=(AccessState.relabel,))
_public(links.activate_page, paths.ACTIVATE, LinkState.open_activation, title="title.activate",
        relabel=(LinkState.relabel,))
_public(links.decision_page, paths.DECISION, LinkState.open_decision, title="title.decision",
        relabel=(LinkState.relabel,))
_public(links.report_page, paths.REPORT, LinkState.open_report, title="title.report", relabel=(LinkState.relabel,))
_public(auth.sign_in_page, paths.SIGN_IN, AuthState.open_forms, title="signin.submit",
        relabel=(AuthState.clear_errors,))
_public(auth.sign_up_page, paths.SIGN_UP, AuthState.open_forms, title="signup.submit",
        relabel=(AuthState.clear_errors,))
_public(password.forgot_page, paths.FORGOT_PASSWORD, PasswordState.open_forgot, title="forgot.title",
        relabel=(PasswordState.relabel,))
_public(password.reset_page, paths.RESET_PASSWORD, PasswordState.open_reset, title="reset.title",
        relabel=(PasswordState.relabel,))
_public(auth.accept_page, paths.ACCEPT, AuthState.open_accept, title="title.terms", relabel=(AuthState.clear_errors,))
_public(auth.terms_page, paths.TERMS, title="title.terms")
_public(not_found.not_found_page, "404", title="notfound.title")  # any unknown address
_page(admin.overview_page, paths.ADMIN, ShellState.load, OverviewState.load, title="admin.nav.overview",
      relabel=(OverviewState.load, PaymentState.relabel))
_page(admin.contracts_page, paths.CONTRACTS, ShellState.load, OrdersState.load, title="admin.nav.contracts",
      relabel=(OrdersState.refresh,))
_page(order.order_page, paths.ORDER, ShellState.load, OrderState.load, title="title.order",
      relabel=(OrderState.relabel, PaymentState.relabel))
_page(admin.invoices_page, paths.INVOICES, ShellState.load, InvoicesState.load, title="admin.nav.invoices",
      relabel=(InvoicesState.refresh, PaymentState.relabel))
_page(invoice.invoice_page, paths.INVOICE, ShellState.load, InvoiceState.load, title="title.invoice",
      relabel=(InvoiceState.load, PaymentState.relabel))
_page(payment_methods.payment_methods_page, paths.PAYMENT_METHODS, ShellState.load, WalletState.load,
      title="admin.nav.payment", relabel=(WalletState.refresh, MandateState.relabel))
_page(licences_pages.licences_page, paths.LICENCES, ShellState.load, LicencesState.load, title="admin.nav.licences",
      relabel=(LicencesState.refresh,))
_page(admins_pages.admins_page, paths.ADMINS, ShellState.load, AdminsState.load, TwoFactorPolicyState.load,
      title="admin.nav.admins", relabel=(AdminsState.refresh, TwoFactorPolicyState.load))
_public(admins_pages.invitation_page, paths.INVITATION, InvitationLinkState.open, title="invitation.title",
        relabel=(InvitationLinkState.open,))
_public(licences_pages.licence_link_page, paths.LICENCE_LINK, LicenceLinkState.open, title="title.licence",
        relabel=(LicenceLinkState.open,))
_page(audit_log_pages.audit_log_page, paths.AUDIT_LOG, ShellState.load, AuditLogState.load, title="admin.nav.activity",
      relabel=(AuditLogState.refresh,))
# For anyone signed in, with or without a company (ShellState.load asks for no permission).
_page(security_pages.security_page, paths.SECURITY, ShellState.load, SecurityState.load, title="security.title",
      relabel=(SecurityState.refresh,))
if _settings.payment_provider == "sandbox":  # the sandbox bank's own 3-D Secure page
    _page(payment.authentication_page, paths.AUTHENTICATE, AuthenticationState.load, title="pay.authenticate_title")
if _settings.is_dev:
    _page(mailbox.mailbox_page, paths.MAILBOX, MailboxState.load)


async def _prepare_sign_in() -> None:
    await asyncio.to_thread(accounts.prepare)


guard_events(app)
app.register_lifespan_task(graceful_stop)
if _settings.background == "web":  # otherwise the `lcadmin worker` process runs them
    app.register_lifespan_task(run_outbox_sender)
    app.register_lifespan_task(run_payment_reconciler)
    app.register_lifespan_task(run_scheduled_jobs)
app.register_lifespan_task(_prepare_sign_in)
