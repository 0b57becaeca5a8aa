"""English wording. ``{vendor}`` is the vendor's name; ``**x**`` is bold."""

MESSAGES: dict[str, str] = {
    "app.name": "{vendor} Admin Center",
    "nav.skip": "Skip to content",
    "language.label": "Language",
    "color_mode.toggle": "Switch between light and dark theme",
    "cta.access_billing": "Access billing",
    "home.eyebrow": "Help Center · Billing",
    "home.title": "Turn on billing management in the {vendor} Admin Center",
    "home.lead": (
        "Reach your contracts, orders and invoices, and manage your payment methods, licences and "
        "permissions in one place."
    ),
    "home.how": "How does it work?",
    "home.step1": (
        "Go to the {vendor} Admin Center and select the **“Access billing”** button at the top of "
        "the page."
    ),
    "home.step2": (
        "Enter your **business e-mail address**. It is not necessarily the one you use for your "
        "personal {vendor} profile, but the one associated with your company."
    ),
    "home.step2.important": (
        "**Important:** if you are **not** your company's primary or billing contact, you must enter "
        "an order or invoice number, with its subtotal or total, to verify that you are allowed to "
        "access the contracts."
    ),
    "home.tip": "Pro tip",
    "home.tip1": (
        "You will find this information on the invoices or orders you received by e-mail. The "
        "subtotal or total of the order or invoice cannot be €0. If it succeeds, a screen asks you "
        "to check your mailbox for the confirmation e-mail."
    ),
    "home.step3": (
        "You will receive an e-mail with the subject **“Welcome to the {vendor} Admin Center”**. "
        "Open it and click **“Activate my account”** to reach the {vendor} sign-in page. If you "
        "cannot find this e-mail, check your spam folder."
    ),
    "home.tip2": (
        "If you already manage users and licences in the {vendor} Admin Center, **you will not "
        "receive an e-mail**. Just sign in to see the new billing management features."
    ),
    "home.step4": (
        "On the {vendor} sign-in page, **sign in to your account** or select **“Sign up”** if you "
        "are not a member yet."
    ),
    "home.step4.important": (
        "**Important:** your personal account may use an e-mail address different from the company "
        "address you used to activate the {vendor} Admin Center."
    ),
    "home.step5": (
        "Click **“Accept and continue”** to finish the activation and enter the {vendor} Admin Center."
    ),
    "home.benefits.title": "You can start using the {vendor} Admin Center",
    "home.benefit.contracts": "Access your contracts and orders",
    "home.benefit.invoices": "Download your invoices instantly",
    "home.benefit.payment": "Update your payment methods more efficiently",
    "home.benefit.licences": "Manage all your {vendor} licences and permissions",
    "footer.legal": "{vendor_legal_name} · SIREN {vendor_siren} · VAT {vendor_vat} · {vendor_address}",
}
