"""A browser tab's states follow its session: nothing of one session reaches the next.

Reflex keeps every state of a tab under the tab's client token, which lives in the tab's
sessionStorage and outlives a sign-out or an expired session. Without care, the next page load
in that tab would be hydrated with the former user's invoices, orders and company before any
handler could redirect. So:

- signing out clears every state of the tab (:func:`clear_tab`), the verified activation too;
- a handler that finds the session gone clears the tab before it redirects to sign in;
- :class:`lcadmin.session_guard.SessionGuard`, a middleware that sees every event before its handler, clears the tab
  when its session cookie changed since the last event (another account signed in, the cookie
  was dropped), and, on each page load (the hydrate), when the cookie names a session that has
  ended or expired, before the page's state is sent.

The language choice is kept (it is a cookie of the browser anyway), and, except on sign-out,
the activation the tab's link verified (it belongs to the tab, not to a session: someone who
clicked "Activer mon compte" then signs in).
"""

from __future__ import annotations

import reflex as rx

from lcadmin import paths
from lcadmin.states.locale import LocaleState


class TabState(rx.State):
    """What the guard remembers of the tab (never sent to the browser)."""

    # SHA-256 of the session cookie the tab's states were last used with ("" for none).
    _cookie: str = ""
    # That cookie was found to name an ended session (and the tab cleared): no need to ask again.
    _ended: bool = False


class PendingActivationState(rx.State):
    """The activation this tab's "Activer mon compte" verified, until "Accepter et continuer".

    The secret is backend-only: it never reaches the browser, and no handler takes it as an
    argument, so only this tab's own click can have put it here."""

    company: str = ""
    _secret: str = ""


def app_states() -> list[type[rx.State]]:
    """The app's own states, every one a direct substate of ``rx.State`` (Reflex's internal ones
    keep to themselves)."""
    return sorted((cls for cls in rx.State.__subclasses__() if cls.__module__.startswith("lcadmin.")),
                  key=lambda cls: cls.get_full_name())


async def clear_tab(state: rx.State, *, keep_activation: bool = True) -> None:
    """Reset every state of the tab to its defaults, but the language (and the verified
    activation, unless ``keep_activation`` is false)."""
    kept = {LocaleState, TabState} | ({PendingActivationState} if keep_activation else set())
    for cls in app_states():
        if cls not in kept:
            (await state.get_state(cls)).reset()
    if not keep_activation:
        (await state.get_state(PendingActivationState)).reset()


async def to_sign_in(state: rx.State):
    """What a handler returns when the session is gone: the tab cleared, then the sign-in page,
    which brings the person back to this page once they have signed in again."""
    url = state.router.url
    here = url.path + (f"?{url.query}" if url.query else "")
    await clear_tab(state)
    return rx.redirect(paths.sign_in_returning_to(here))
