"""/admin/payment-methods, "Modes de paiement": the company's cards and SEPA mandates, bank
transfer, which method pays each contract, the default, and the forms that add a card (through
the provider's set-up, 3-D Secure included) or sign a mandate."""

from __future__ import annotations

import reflex as rx

from lcadmin.components.forms import busy_button, callout, confirm_dialog, field_error, form_alert, labelled_checkbox
from lcadmin.components.i18n import t, t_fmt
from lcadmin.components.payment import card_input
from lcadmin.pages.admin import _table, admin_frame, status_badge
from lcadmin.states.payment_methods import CardSetupState, MandateState, WalletState


def _method_card(row: rx.Var) -> rx.Component:
    """One card or mandate: what it is, whose, its status, what it pays, and its actions."""
    method_id = row["id"].to(str)
    is_card = row["kind"].to(str) == "card"
    facts = rx.cond(
        is_card,
        rx.text(t_fmt("wallet.expires", date=row["expiry"]), size="2"),
        rx.vstack(
            rx.text(row["account"], " · BIC ", row["bic"], size="2", class_name="num"),
            rx.text(t_fmt("wallet.reference", reference=row["reference"]), size="2"),
            rx.text(t_fmt("wallet.signed_on", date=row["signed_on"]), size="2", color_scheme="gray"),
            spacing="0"),
    )
    actions = rx.flex(
        rx.cond(WalletState.can_manage & row["usable"].to(bool) & ~row["is_default"].to(bool),
                rx.button(t("wallet.make_default"), size="1", variant="soft", disabled=WalletState.working != "",
                          on_click=WalletState.set_default(method_id),
                          aria_label=t("wallet.make_default").to(str) + " " + row["label"].to(str))),
        rx.cond(~is_card, busy_button(rx.icon("file-down", size=14), t("wallet.mandate_pdf"),
                                      busy=WalletState.downloading == method_id, busy_key="action.preparing",
                                      size="1", variant="soft", color_scheme="gray",
                                      on_click=WalletState.download_mandate(method_id),
                                      aria_label=t("wallet.mandate_pdf").to(str) + " " + row["reference"].to(str))),
        rx.cond(row["can_remove"].to(bool),
                rx.button(rx.cond(is_card, t("wallet.remove"), t("wallet.revoke")), size="1", variant="soft",
                          color_scheme="red", on_click=WalletState.open_remove(method_id),
                          aria_label=rx.cond(is_card, t("wallet.remove"), t("wallet.revoke")).to(str) + " " +
                          row["label"].to(str))),
        spacing="2", wrap="wrap",
    )
    return rx.card(rx.flex(
        rx.vstack(
            rx.flex(rx.icon(rx.cond(is_card, "credit-card", "landmark"), size=18, aria_hidden="true"),
                    rx.text(row["label"], weight="bold"),
                    rx.cond(row["is_default"].to(bool), rx.badge(t("wallet.default"), color_scheme="blue")),
                    status_badge(row["status_label"], row["status_tone"]),
                    spacing="2", align="center", wrap="wrap"),
            rx.text(t_fmt("wallet.holder", name=row["holder"]), size="2"),
            facts,
            rx.text(rx.cond(row["contracts"].to(str) != "", t_fmt("wallet.pays", contracts=row["contracts"]),
                            t("wallet.pays_nothing")), size="2", color_scheme="gray"),
            spacing="1", min_width="0",
        ),
        actions, justify="between", align="start", spacing="3", wrap="wrap", width="100%",
    ), size="2", width="100%", class_name="method-card", custom_attrs={"data-method": row["label"]})


def _methods(title_key: str, rows: rx.Var, empty_key: str) -> rx.Component:
    return rx.vstack(
        rx.heading(t(title_key), as_="h2", size="4"),
        rx.cond(rows.length() > 0,  # pyright: ignore[reportAttributeAccessIssue] (a list Var)
                rx.vstack(rx.foreach(rows, _method_card), spacing="2", width="100%"),
                callout(t(empty_key), "gray", "inbox")),
        spacing="2", width="100%",
    )


def _transfer() -> rx.Component:
    transfer = WalletState.transfer
    return rx.vstack(
        rx.heading(t("wallet.transfer"), as_="h2", size="4"),
        rx.card(rx.vstack(
            rx.flex(rx.icon("building-2", size=18, aria_hidden="true"), rx.text(t("wallet.transfer"), weight="bold"),
                    rx.cond(WalletState.default == "transfer", rx.badge(t("wallet.default"), color_scheme="blue")),
                    spacing="2", align="center"),
            rx.text(t("wallet.transfer_body"), size="2"),
            rx.text(t_fmt("wallet.beneficiary", name=transfer["beneficiary"]), size="2"),
            rx.text("IBAN ", transfer["iban"], " · BIC ", transfer["bic"], size="2", class_name="num",
                    id="vendor-iban"),
            rx.text(t("wallet.transfer_reference"), size="2", color_scheme="gray"),
            rx.text(rx.cond(transfer["contracts"] != "", t_fmt("wallet.pays", contracts=transfer["contracts"]),
                            t("wallet.pays_nothing")), size="2", color_scheme="gray"),
            spacing="1",
        ), size="2", width="100%"),
        spacing="2", width="100%",
    )


def _method_select(value, on_change, label, allowed=WalletState.can_manage, **props) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label=label, min_width="220px"),
        rx.select.content(rx.foreach(WalletState.options, lambda o: rx.select.item(o["label"], value=o["value"]))),
        value=value, on_change=on_change, disabled=~allowed | (WalletState.working != ""), **props,
    )


def _contracts() -> rx.Component:
    return rx.vstack(
        rx.heading(t("wallet.contracts_title"), as_="h2", size="4"),
        rx.text(t("wallet.contracts_intro"), size="2", color_scheme="gray"),
        _table(["col.number", "col.title", "wallet.contracts_title"], WalletState.contracts,
               lambda r: [rx.table.row_header_cell(r["number"]), rx.table.cell(r["title"]),
                          rx.table.cell(_method_select(
                              r["method"], lambda value: WalletState.choose_for_contract(r["number"].to(str), value),
                              t("wallet.contracts_title").to(str) + " " + r["number"].to(str),
                              allowed=WalletState.can_choose))],
               "wallet.contracts_empty", "wallet.contracts_title", WalletState.loaded),
        rx.vstack(
            rx.el.label(t("wallet.default_label"), html_for="default-method", class_name="field-label"),
            _method_select(WalletState.default, WalletState.set_default, t("wallet.default_label"),
                           id="default-method"),
            spacing="1",
        ),
        spacing="2", width="100%",
    )


def _field(label_key: str, name: str, error: rx.Var, *, autocomplete: str = "on", kind: str | None = None,
           on_blur=None, hint: rx.Component | None = None) -> rx.Component:
    """A labelled uncontrolled input of a form (its value leaves with the form), with its live
    check (``kind``: checked by assets/card-fields.js as typed) and the server's refusal under it."""
    extra = {"custom_attrs": {"data-card": kind}} if kind else {}
    return rx.box(
        rx.el.label(t(label_key), html_for=name, class_name="field-label"),
        rx.input(id=name, name=name, auto_complete=autocomplete, size="3", width="100%", on_blur=on_blur,
                 aria_invalid=rx.cond(error != "", "true", "false"), aria_describedby=f"{name}-check {name}-error",
                 spell_check=False, **extra),
        rx.text(id=f"{name}-check", color_scheme="red", size="2", class_name="field-error", aria_live="polite")
        if kind else rx.fragment(),
        field_error(error, name),
        hint or rx.fragment(),
        class_name="field", width="100%",
    )


def _card_dialog() -> rx.Component:
    messages = {"data-msg-number": t("error.invalid_number"), "data-msg-expiry": t("error.invalid_expiry"),
                "data-msg-expired": t("error.expired_card"), "data-msg-cvc": t("error.cvc_three"),
                "data-msg-cvc-amex": t("error.cvc_four")}
    form = rx.form(rx.vstack(
        _field("wallet.holder_name", "holder_name", CardSetupState.holder_error, autocomplete="cc-name"),
        card_input("pay.card_number", "card_number", "number", CardSetupState.number_error, autocomplete="cc-number",
                   placeholder="1234 1234 1234 1234",
                   extra=rx.text(size="1", weight="medium", color_scheme="gray", id="card-brand",
                                 custom_attrs={"data-card-brand": ""}, aria_live="polite")),
        rx.flex(card_input("pay.expiry", "card_expiry", "expiry", CardSetupState.expiry_error, autocomplete="cc-exp",
                           placeholder=t("pay.expiry_placeholder")),
                card_input("pay.cvc", "card_cvc", "cvc", CardSetupState.cvc_error, autocomplete="cc-csc",
                           placeholder="123"),
                spacing="3", width="100%", class_name="card-row"),
        labelled_checkbox(t("wallet.use_for_all"), checked=CardSetupState.use_for_all,
                          on_change=CardSetupState.set_use_for_all, checkbox_id="card-use-for-all"),
        rx.text(t("wallet.use_for_all_hint"), size="1", color_scheme="gray"),
        busy_button(rx.icon("lock", size=16), t("wallet.save_card"), busy=CardSetupState.saving,
                    busy_key="busy.saving", type="submit", size="3", width="100%"),
        form_alert(CardSetupState.error),
        rx.callout.root(rx.callout.text(t("wallet.card_sandbox")), size="1", color_scheme="gray", variant="surface"),
        spacing="3", width="100%",
    ), on_submit=CardSetupState.submit, custom_attrs=messages)
    return _form_dialog("wallet.add_card", "pay.secure", form, CardSetupState.opened, CardSetupState.close, "480px")


def _form_dialog(title_key: str, description_key: str, form: rx.Component, opened: rx.Var, close,
                 width: str) -> rx.Component:
    """A form in a dialog, with "Annuler" under it."""
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(t(title_key)),
        rx.dialog.description(t(description_key), size="2", color_scheme="gray"),
        form,
        rx.dialog.close(rx.button(t("action.cancel"), variant="soft", color_scheme="gray", margin_top="12px")),
        max_width=width,
    ), open=opened, on_open_change=close)


def _mandate_dialog() -> rx.Component:
    messages = {"data-msg-iban": t("error.iban_checksum"), "data-msg-iban-format": t("error.iban_invalid")}
    found = rx.cond(MandateState.bank != "", rx.text(MandateState.bank, size="1", color_scheme="green",
                                                   id="iban-bank", aria_live="polite"))
    form = rx.form(rx.vstack(
        _field("wallet.account_holder", "holder_name", MandateState.holder_error, autocomplete="organization"),
        _field("wallet.address", "address", MandateState.address_error, autocomplete="street-address"),
        rx.flex(_field("wallet.postal_code", "postal_code", MandateState.postal_code_error,
                       autocomplete="postal-code"),
                _field("wallet.city", "city", MandateState.city_error, autocomplete="address-level2"),
                spacing="3", width="100%", class_name="card-row"),
        _field("wallet.iban", "iban", MandateState.account_error, autocomplete="off", kind="iban",
               on_blur=MandateState.check_iban, hint=found),
        _field("wallet.bic", "bic", MandateState.bic_error, autocomplete="off"),
        rx.card(rx.vstack(
            rx.text(t("mandate.title"), weight="bold", size="2"),
            rx.text(MandateState.legal, size="2"), rx.text(MandateState.rights, size="1", color_scheme="gray"),
            rx.text(MandateState.creditor, size="1", color_scheme="gray", id="mandate-creditor"),
            rx.text(t("mandate.recurrent"), size="1", color_scheme="gray"),
            spacing="2"), variant="surface", size="1"),
        _field("wallet.signer_name", "signer_name", MandateState.signer_error, autocomplete="name"),
        labelled_checkbox(t("wallet.authorize"), checked=MandateState.authorized,
                          on_change=MandateState.set_authorized, checkbox_id="mandate-authorize"),
        field_error(MandateState.authorized_error, "mandate-authorize"),
        labelled_checkbox(t("wallet.use_for_all"), checked=MandateState.use_for_all,
                          on_change=MandateState.set_use_for_all, checkbox_id="mandate-use-for-all"),
        busy_button(rx.icon("pen-line", size=16), t("wallet.sign_mandate"), busy=MandateState.signing,
                    busy_key="busy.signing", type="submit", size="3", width="100%"),
        form_alert(MandateState.error),
        rx.callout.root(rx.callout.text(t("wallet.mandate_sandbox")), size="1", color_scheme="gray",
                        variant="surface"),
        spacing="3", width="100%",
    ), on_submit=MandateState.submit, custom_attrs=messages)
    return _form_dialog("wallet.mandate_title", "wallet.add_mandate", form, MandateState.opened, MandateState.close,
                        "560px")


def _remove_dialog() -> rx.Component:
    is_card = WalletState.removing_kind == "card"
    in_use = (WalletState.removing_contracts != "") | WalletState.removing_default
    return confirm_dialog(
        rx.cond(is_card, t_fmt("wallet.remove_title", label=WalletState.removing_label),
                t_fmt("wallet.revoke_title", label=WalletState.removing_label)),
        rx.cond(is_card, t("wallet.remove_body"), t("wallet.revoke_body")),
        rx.cond(in_use, rx.vstack(
            rx.cond(WalletState.removing_contracts != "",
                    rx.text(t_fmt("wallet.remove_in_use", contracts=rx.text.strong(WalletState.removing_contracts)),
                            size="2"),
                    rx.text(t("wallet.remove_default"), size="2")),
            rx.el.label(t("wallet.replacement"), html_for="replacement", class_name="field-label"),
            rx.select.root(
                rx.select.trigger(aria_label=t("wallet.replacement"), id="replacement"),
                rx.select.content(rx.foreach(WalletState.options, lambda o: rx.cond(
                    o["value"] != WalletState.removing, rx.select.item(o["label"], value=o["value"])))),
                value=WalletState.replacement, on_change=WalletState.set_replacement),
            field_error(WalletState.replacement_error, "replacement"),
            spacing="2", margin_top="12px")),
        form_alert(WalletState.error),
        confirm=rx.cond(is_card, t("wallet.confirm_remove"), t("wallet.confirm_revoke")),
        busy=WalletState.working == "remove", on_confirm=WalletState.confirm_remove,
        open=WalletState.removing != "", on_open_change=WalletState.close_remove, max_width="480px")


def payment_methods_page() -> rx.Component:
    """/admin/payment-methods."""
    return admin_frame(
        "payment",
        rx.cond(WalletState.notice != "", callout(WalletState.notice, "green", "circle-check", role="status",
                                                   id="wallet-notice")),
        rx.cond((WalletState.error != "") & (WalletState.removing == ""),
                callout(WalletState.error, "red", "circle-alert", role="alert")),
        rx.cond(WalletState.expiring > 0, callout(
            rx.cond(WalletState.expiring == 1, t("wallet.expiring_one"),
                    t_fmt("wallet.expiring_many", count=rx.Var.create(WalletState.expiring).to_string())), "amber",
            "triangle-alert", id="wallet-expiring")),
        rx.cond(WalletState.loaded & ~WalletState.can_manage, callout(t("wallet.read_only"), "gray", "eye")),
        rx.cond(WalletState.can_manage, rx.flex(
            rx.button(rx.icon("credit-card", size=16), t("wallet.add_card"), on_click=CardSetupState.open),
            rx.button(rx.icon("landmark", size=16), t("wallet.add_mandate"), variant="soft",
                      on_click=MandateState.open),
            spacing="3", wrap="wrap")),
        rx.cond(~WalletState.loaded, rx.fragment(), rx.vstack(
            _methods("wallet.cards", WalletState.cards, "wallet.cards_empty"),
            _methods("wallet.mandates", WalletState.mandates, "wallet.mandates_empty"),
            _transfer(),
            _contracts(),
            spacing="5", width="100%")),
        _card_dialog(), _mandate_dialog(), _remove_dialog(),
    )
