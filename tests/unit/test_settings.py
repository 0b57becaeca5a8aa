import pytest

from lcadmin.settings import SettingsError, load_settings, usable_cores
from tests.helpers import PROD_SERVICES

PROD = {"LCADMIN_ENV": "prod", "LCADMIN_SECRET_KEY": "x" * 40, "LCADMIN_PUBLIC_URL": "https://admin.example.com",
        **PROD_SERVICES}


def test_defaults_describe_the_demo_vendor_in_french():
    settings = load_settings({})
    assert settings.env == "dev"
    assert settings.default_locale == "fr"
    assert settings.public_url == "http://localhost:3000"
    assert settings.vendor.name == "Northwind"
    assert settings.vendor.siren == "812345676"
    assert settings.vendor.vat_number == "FR19812345676"
    assert settings.db_url == "sqlite:///.data/lcadmin.db"
    assert settings.vendor.logo_path.endswith("assets/northwind-logo.png")
    assert not settings.cookies_secure


def test_values_are_read_and_normalised():
    settings = load_settings({
        "LCADMIN_PUBLIC_URL": "https://admin.example.com/", "LCADMIN_SMTP_PORT": "2525",
        "LCADMIN_SMTP_STARTTLS": "yes", "LCADMIN_DEFAULT_LOCALE": "EN", "LCADMIN_VENDOR_NAME": "Contoso",
        "LCADMIN_MAIL_FROM": "Contoso Billing <billing@contoso.example>",
        "REFLEX_DB_URL": "postgresql+psycopg://u@db/lcadmin",
    })
    assert settings.public_url == "https://admin.example.com"
    assert settings.cookies_secure
    assert settings.smtp.port == 2525 and settings.smtp.starttls
    assert settings.default_locale == "en"
    assert settings.vendor.name == "Contoso"
    assert settings.db_url.startswith("postgresql+psycopg://")


@pytest.mark.parametrize(
    ("env", "variable"),
    [({"LCADMIN_ENV": "staging"}, "LCADMIN_ENV"),
     ({"LCADMIN_SMTP_PORT": "abc"}, "LCADMIN_SMTP_PORT"),
     ({"LCADMIN_SMTP_PORT": "70000"}, "LCADMIN_SMTP_PORT"),
     ({"LCADMIN_SMTP_STARTTLS": "maybe"}, "LCADMIN_SMTP_STARTTLS"),
     ({"LCADMIN_DEFAULT_LOCALE": "de"}, "LCADMIN_DEFAULT_LOCALE"),
     ({"LCADMIN_PUBLIC_URL": "admin.example.com"}, "LCADMIN_PUBLIC_URL"),
     ({"LCADMIN_PUBLIC_URL": "ftp://admin.example.com"}, "LCADMIN_PUBLIC_URL"),
     ({"LCADMIN_MAIL_FROM": "not an address"}, "LCADMIN_MAIL_FROM"),
     ({"LCADMIN_VENDOR_SIREN": "123456789"}, "LCADMIN_VENDOR_SIREN"),
     ({"LCADMIN_VENDOR_VAT_NUMBER": "FR00812345676"}, "LCADMIN_VENDOR_VAT_NUMBER"),
     ({"LCADMIN_VENDOR_COUNTRY": "France"}, "LCADMIN_VENDOR_COUNTRY"),
     ({"LCADMIN_SECRET_KEY": "short"}, "LCADMIN_SECRET_KEY"),
     ({"REFLEX_DB_URL": "mysql://db/x"}, "REFLEX_DB_URL"),
     ({"LCADMIN_VENDOR_LOGO": "/no/such/logo.png"}, "LCADMIN_VENDOR_LOGO"),
     ({"LCADMIN_VENDOR_LOGO": __file__}, "LCADMIN_VENDOR_LOGO"),
     ({"REFLEX_DB_URL": "postgresql://db/x"}, "REFLEX_DB_URL")],
)
def test_a_bad_value_names_its_variable(env, variable):
    with pytest.raises(SettingsError, match=variable):
        load_settings(env)


@pytest.mark.parametrize(
    ("override", "variable"),
    [({"LCADMIN_SECRET_KEY": ""}, "LCADMIN_SECRET_KEY"),
     ({"LCADMIN_SECRET_KEY": "lcadmin-dev-secret-key-not-for-production-use"}, "LCADMIN_SECRET_KEY"),
     ({"LCADMIN_PUBLIC_URL": ""}, "LCADMIN_PUBLIC_URL"),
     ({"LCADMIN_PUBLIC_URL": "http://admin.example.com"}, "LCADMIN_PUBLIC_URL")],
)
def test_prod_refuses_unsafe_defaults(override, variable):
    with pytest.raises(SettingsError, match=variable):
        load_settings({**PROD, **override})


def test_prod_starts_with_safe_values():
    settings = load_settings(PROD)
    assert settings.is_prod and settings.secret_key == "x" * 40


def test_prod_refuses_the_sandbox_payment_provider():
    with pytest.raises(SettingsError, match="LCADMIN_PAYMENT_PROVIDER"):
        load_settings(PROD | {"LCADMIN_PAYMENT_PROVIDER": "sandbox"})
    prod = load_settings(PROD)
    assert prod.payment_provider == "none" and not prod.online_payment  # online payment is off, not faked
    assert load_settings({}).payment_provider == "sandbox"
    assert load_settings({"LCADMIN_ENV": "demo", "LCADMIN_PAYMENT_PROVIDER": "none"}).online_payment is False
    with pytest.raises(SettingsError, match="LCADMIN_PAYMENT_PROVIDER"):
        load_settings({"LCADMIN_PAYMENT_PROVIDER": "stripe-ish"})


def test_only_a_developers_machine_is_dev():
    assert load_settings({}).is_dev
    assert not load_settings({"LCADMIN_ENV": "demo"}).is_dev and not load_settings(PROD).is_dev


def test_the_business_time_zone_is_an_iana_name():
    assert load_settings({}).vendor.timezone == "Europe/Paris"
    assert load_settings({"LCADMIN_TIMEZONE": "America/Montreal"}).vendor.timezone == "America/Montreal"
    with pytest.raises(SettingsError, match="LCADMIN_TIMEZONE"):
        load_settings({"LCADMIN_TIMEZONE": "Paris/Europe"})


@pytest.mark.parametrize(
    ("override", "variable"),
    [({"REFLEX_DB_URL": "sqlite:///.data/lcadmin.db"}, "REFLEX_DB_URL"),
     ({"REFLEX_REDIS_URL": ""}, "REFLEX_REDIS_URL"),
     ({"REFLEX_REDIS_URL": "http://127.0.0.1:6379"}, "REFLEX_REDIS_URL"),
     ({"LCADMIN_WORKERS": "0"}, "LCADMIN_WORKERS"),
     ({"LCADMIN_WORKERS": str(usable_cores() + 1)}, "LCADMIN_WORKERS"),
     ({"LCADMIN_BACKGROUND": "cron"}, "LCADMIN_BACKGROUND"),
     ({"LCADMIN_METRICS_TOKEN": "short"}, "LCADMIN_METRICS_TOKEN"),
     ({"LCADMIN_LOG_FORMAT": "xml"}, "LCADMIN_LOG_FORMAT")],
)
def test_prod_needs_postgresql_redis_and_sane_workers(override, variable):
    with pytest.raises(SettingsError, match=variable):
        load_settings({**PROD, **override})


def test_workers_follow_the_cores_and_need_redis():
    prod = load_settings(PROD)
    assert prod.workers == usable_cores() and prod.redis_url == "redis://127.0.0.1:6379/0"
    assert prod.log_format == "json" and prod.background == "web" and prod.metrics_token == ""
    assert load_settings(PROD | {"LCADMIN_WORKERS": "1"}).workers == 1
    demo = load_settings({"LCADMIN_ENV": "demo"})  # one host, SQLite, tabs' state on disk: one worker
    assert demo.workers == 1 and demo.redis_url == "" and demo.log_format == "text"
    with pytest.raises(SettingsError, match=r"LCADMIN_WORKERS.*REFLEX_REDIS_URL"):
        load_settings({"LCADMIN_WORKERS": "2"})
