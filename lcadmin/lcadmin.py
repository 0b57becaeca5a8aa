"""The Reflex app: theme, pages and the tables Reflex's migration commands must know."""

import reflex as rx

# Importing the models fills SQLModel.metadata, which `reflex db makemigrations / migrate` compare
# with the database (Reflex registers that shared metadata through its own rx.Model base).
from lcadmin import models  # noqa: F401
from lcadmin.i18n import catalog
from lcadmin.pages.home import home_page
from lcadmin.settings import get_settings
from lcadmin.states.locale import LocaleState

_settings = get_settings()
_title = catalog(_settings.default_locale)["app.name"]

app = rx.App(
    stylesheets=["/styles.css"],
    html_lang=_settings.default_locale,
    head_components=[rx.el.meta(name="color-scheme", content="light dark")],
)
app.add_page(home_page, route="/", title=_title, on_load=LocaleState.detect_locale)
