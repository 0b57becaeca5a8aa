"""Form pieces: a labelled field with its error and hint next to it, a password field with a
"show password" switch, and the card that holds a form."""

from __future__ import annotations

import reflex as rx

from lcadmin.components.i18n import t


def busy_button(*children, busy: rx.Var, busy_key: str, **props) -> rx.Component:
    """A button whose action takes a while: while ``busy`` it is disabled, shows a spinner and
    says what is happening (``busy_key``, e.g. "Paiement en cours…"), announced politely."""
    return rx.button(
        rx.cond(busy, rx.fragment(rx.spinner(size="2"), t(busy_key)), rx.fragment(*children)),
        disabled=busy, aria_busy=rx.cond(busy, "true", "false"), **props,
    )


def link_button(*children, href: str, **props) -> rx.Component:
    """A link that looks like a button: one element, a link to assistive technology (a button
    inside a link would be two nested controls)."""
    return rx.button(rx.link(*children, href=href, underline="none"), as_child=True, **props)


def field_error(error: rx.Var, input_id: str) -> rx.Component:
    """The error sentence under a field (announced to screen readers)."""
    return rx.cond(
        error != "",
        rx.text(error, id=f"{input_id}-error", color_scheme="red", size="2", role="alert", class_name="field-error"),
    )


def text_field(label_key: str, *, input_id: str, value: rx.Var, on_change, error: rx.Var, input_type: str = "text",
               autocomplete: str = "on", placeholder_key: str | None = None, hint_key: str | None = None,
               autofocus: bool = False, input_mode: str | None = None) -> rx.Component:
    """A labelled input whose error shows right under it."""
    extra = {"input_mode": input_mode} if input_mode else {}
    return rx.box(
        rx.el.label(t(label_key), html_for=input_id, class_name="field-label"),
        rx.input(
            id=input_id, name=input_id, value=value, on_change=on_change, type=input_type, size="3",
            auto_complete=autocomplete, placeholder=t(placeholder_key) if placeholder_key else "",
            auto_focus=autofocus, aria_invalid=rx.cond(error != "", "true", "false"),
            aria_describedby=f"{input_id}-error", width="100%", **extra,
        ),
        field_error(error, input_id),
        rx.text(t(hint_key), size="1", color_scheme="gray", class_name="field-hint") if hint_key else rx.fragment(),
        class_name="field",
    )


def password_field(label_key: str, *, input_id: str, name: str, on_typing, error: rx.Var, shown: rx.Var,
                   on_toggle, autocomplete: str, hint_key: str | None = None) -> rx.Component:
    """A password input with a "show password" switch; pasting is never blocked.

    Uncontrolled on purpose: its value leaves the browser only with the submitted form, under
    ``name``, and never becomes a state var. ``on_typing`` is a handler taking no argument (the
    value is not sent with it), called as the person types (to clear a previous refusal)."""
    return rx.box(
        rx.el.label(t(label_key), html_for=input_id, class_name="field-label"),
        rx.input(id=input_id, name=name, on_change=on_typing,
                 type=rx.cond(shown, "text", "password"), size="3", auto_complete=autocomplete,
                 aria_invalid=rx.cond(error != "", "true", "false"), aria_describedby=f"{input_id}-error",
                 width="100%"),
        field_error(error, input_id),
        rx.text(t(hint_key), size="1", color_scheme="gray", class_name="field-hint") if hint_key else rx.fragment(),
        labelled_checkbox(t("signin.show_password"), checked=shown, on_change=on_toggle,
                          checkbox_id=f"{input_id}-show"),
        class_name="field",
    )


def labelled_checkbox(label, *, checked: rx.Var, on_change, checkbox_id: str) -> rx.Component:
    """A checkbox named by its visible label (Radix draws it as a button, which a wrapping
    <label> alone does not name for assistive technology)."""
    return rx.flex(
        rx.checkbox(checked=checked, on_change=on_change, id=checkbox_id),
        rx.el.label(rx.text(label, size="2"), html_for=checkbox_id),
        class_name="inline-check", align="start", spacing="2",
    )


def form_alert(message: rx.Var) -> rx.Component:
    """A form-level error (a refused proof, a lock, wrong credentials).

    Forms place it under their buttons: typing clears it, and a message vanishing above a button
    would move the button from under a pointer about to click it.
    """
    return rx.cond(
        message != "",
        rx.callout.root(rx.callout.icon(rx.icon("circle-alert")), rx.callout.text(message), color_scheme="red",
                        role="alert", class_name="form-alert"),
    )


def card(*children: rx.Component, width: str = "480px") -> rx.Component:
    """The centred panel a flow step lives in."""
    return rx.card(rx.vstack(*children, spacing="4", width="100%"), size="3", class_name="flow-card",
                   max_width=width, width="100%")


def callout(text, color: str, icon: str, **props) -> rx.Component:
    """A page-level message with its icon: a change saved, a refusal, a warning."""
    return rx.callout.root(rx.callout.icon(rx.icon(icon)), rx.callout.text(text), color_scheme=color, **props)



def confirm_dialog(title, body, *extra: rx.Component, confirm, busy: rx.Var, on_confirm, open: rx.Var,
                   on_open_change, max_width: str = "460px") -> rx.Component:
    """The confirmation of a destructive action (remove a licence, an admin, a payment method):
    what it does, anything it needs (``extra``), "Annuler" and the red button that does it."""
    return rx.alert_dialog.root(rx.alert_dialog.content(
        rx.alert_dialog.title(title),
        rx.alert_dialog.description(body, size="2"),
        *extra,
        rx.flex(
            rx.alert_dialog.cancel(rx.button(t("action.cancel"), variant="soft", color_scheme="gray")),
            busy_button(confirm, busy=busy, busy_key="busy.saving", color_scheme="red", class_name="danger-solid",
                        on_click=on_confirm),
            spacing="3", justify="end", margin_top="16px", wrap="wrap"),
        max_width=max_width,
    ), open=open, on_open_change=on_open_change)
