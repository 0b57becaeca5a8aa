"""All of lcadmin's configuration, read from the environment and validated once.

Every ``LCADMIN_*`` variable is read here and nowhere else. A bad value stops start-up with a
:class:`SettingsError` whose message names the variable. In ``prod`` the unsafe development
defaults (no secret key, a plain-http public URL) are refused.

The database URL is Reflex's own ``REFLEX_DB_URL`` so that ``reflex db migrate`` and the app
always agree on the database.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email

from lcadmin.domain.identifiers import is_valid_siren, is_valid_vat_number

ENVIRONMENTS = ("dev", "demo", "prod")
# "sandbox": the test card processor of lcadmin.payments.sandbox; "none": online payment is off.
PAYMENT_PROVIDERS = ("sandbox", "none")
DEFAULT_LOGO = Path(__file__).resolve().parent.parent / "assets" / "northwind-logo.png"
LOCALES = ("fr", "en")
# In a hidden folder: Reflex's dev reloader skips hidden folders, and would otherwise restart the
# backend on every write to SQLite's -wal and -shm files.
DEFAULT_DB_URL = "sqlite:///.data/lcadmin.db"
# Only for dev and demo: prod refuses to start without its own key.
_DEV_SECRET_KEY = "lcadmin-dev-secret-key-not-for-production-use"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """A configuration value is missing or invalid; the message names the variable."""


@dataclass(frozen=True)
class VendorSettings:
    """The vendor that issues the invoices and whose Admin Center this is."""

    name: str
    legal_name: str
    siren: str
    vat_number: str
    address_line1: str
    postal_code: str
    city: str
    country_code: str
    logo_path: str = ""
    timezone: str = "Europe/Paris"  # where the vendor's calendar days begin and end
    rcs_city: str = "Paris"  # the registry court of "RCS Paris 812 345 676"
    share_capital: int = 50_000  # euros, printed on every document (SAS: "au capital de …")
    iban: str = "FR7630006000011234567890189"  # where transfers are paid, printed on invoices
    bic: str = "AGRIFRPPXXX"
    support_email: str = "facturation@northwind.example"  # the contact in e-mails and documents
    sepa_creditor_id: str = "FR72ZZZ123456"  # the SEPA creditor identifier (ICS) printed on mandates


@dataclass(frozen=True)
class SmtpSettings:
    """Where outgoing mail is delivered."""

    host: str
    port: int
    username: str
    password: str
    starttls: bool
    mail_from: str


@dataclass(frozen=True)
class Settings:
    """The validated configuration of one lcadmin process."""

    env: str
    secret_key: str
    public_url: str
    default_locale: str
    db_url: str
    vendor: VendorSettings
    smtp: SmtpSettings
    activation_ttl_hours: int
    session_idle_minutes: int
    session_max_hours: int
    payment_provider: str = "sandbox"
    # A SEPA debit is announced at least this many days before it is taken (the pre-notification).
    sepa_prenotification_days: int = 14
    # After a failed automatic collection, it is tried again this many days after the due date.
    collection_retry_days: tuple[int, ...] = (3, 5, 7)
    # Whether open invoices of contracts paid by a saved method are collected on their due date.
    automatic_collection: bool = True
    # Reflex's state store: "" keeps tab states on disk (one worker); a Redis URL shares them
    # between workers and app instances.
    redis_url: str = ""
    # Web worker processes of one app instance (``lcadmin serve``): at most the usable cores.
    workers: int = 1
    # Where the background jobs (e-mail, collections, notices, reconciliation) run: "web" in every
    # web worker beside the app, or "worker" in the dedicated ``lcadmin worker`` process only.
    background: str = "web"
    # The bearer token that opens /_metrics (Prometheus); "" keeps the metrics closed.
    metrics_token: str = ""
    # "json": one JSON object per log line (prod); "text": plain lines for a developer.
    log_format: str = "text"

    @property
    def is_prod(self) -> bool:
        """Whether this process runs in production."""
        return self.env == "prod"

    @property
    def is_dev(self) -> bool:
        """Whether this is a developer's machine (the only place the dev mailbox exists)."""
        return self.env == "dev"

    @property
    def online_payment(self) -> bool:
        """Whether cards can be charged online (a payment provider is configured)."""
        return self.payment_provider != "none"

    @property
    def cookies_secure(self) -> bool:
        """Whether cookies must carry the Secure flag (public URL served over https)."""
        return self.public_url.startswith("https://")


def _text(env: Mapping[str, str], name: str, default: str) -> str:
    return env.get(name, default).strip() or default


def _choice(env: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = _text(env, name, default).lower()
    if value not in allowed:
        raise SettingsError(f"{name}={value!r} is not one of: {', '.join(allowed)}")
    return value


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = _text(env, name, str(default))
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise SettingsError(f"{name}={raw!r} is not a whole number between {low} and {high}")
    return int(raw)


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"{name}={raw!r} is not a boolean (use true or false)")


def _public_url(env: Mapping[str, str], environment: str) -> str:
    name = "LCADMIN_PUBLIC_URL"
    raw = env.get(name, "").strip()
    if not raw:
        if environment == "prod":
            raise SettingsError(f"{name} must be set in prod (the https address users reach)")
        raw = "http://localhost:3000"
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"{name}={raw!r} is not an http(s) URL such as https://admin.example.com")
    if parts.query or parts.fragment:
        raise SettingsError(f"{name}={raw!r} must not carry a query or a fragment")
    if environment == "prod" and parts.scheme != "https":
        raise SettingsError(f"{name}={raw!r} must use https in prod")
    return raw.rstrip("/")


def _secret_key(env: Mapping[str, str], environment: str) -> str:
    name = "LCADMIN_SECRET_KEY"
    raw = env.get(name, "").strip()
    if not raw:
        if environment == "prod":
            raise SettingsError(f"{name} must be set in prod (at least 32 random characters)")
        return _DEV_SECRET_KEY
    if len(raw) < 32:
        raise SettingsError(f"{name} is too short: use at least 32 random characters")
    if environment == "prod" and raw == _DEV_SECRET_KEY:
        raise SettingsError(f"{name} is the development key: set a secret of your own in prod")
    return raw


def _mail_from(env: Mapping[str, str], vendor_name: str) -> str:
    name = "LCADMIN_MAIL_FROM"
    raw = _text(env, name, f"{vendor_name} Admin Center <no-reply@admin-center.example>")
    match = re.fullmatch(r"\s*(?:(?P<display>[^<>]*?)\s*<(?P<addr>[^<>]+)>|(?P<bare>[^<>\s]+))\s*", raw)
    address = match and (match.group("addr") or match.group("bare"))
    try:
        if not address:
            raise EmailNotValidError("no address")
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise SettingsError(
            f"{name}={raw!r} is not an e-mail address such as 'Billing <billing@example.com>'"
        ) from error
    return raw


def _logo(env: Mapping[str, str]) -> str:
    """The vendor's logo for documents: a PNG or JPEG file (default: the demo vendor's)."""
    name = "LCADMIN_VENDOR_LOGO"
    raw = env.get(name, "").strip()
    if not raw:
        return str(DEFAULT_LOGO) if DEFAULT_LOGO.is_file() else ""
    path = Path(raw).expanduser()
    if not path.is_file():
        raise SettingsError(f"{name}={raw!r} is not a file")
    with path.open("rb") as handle:
        head = handle.read(8)
    if not (head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8")):
        raise SettingsError(f"{name}={raw!r} is not a PNG or JPEG image")
    return str(path.resolve())


def _payment_provider(env: Mapping[str, str], environment: str) -> str:
    name = "LCADMIN_PAYMENT_PROVIDER"
    provider = _choice(env, name, "none" if environment == "prod" else "sandbox", PAYMENT_PROVIDERS)
    if environment == "prod" and provider == "sandbox":
        raise SettingsError(f"{name}=sandbox is the test card processor and charges nobody: prod refuses it "
                            "(configure a real provider, or 'none' to switch online payment off)")
    return provider


def usable_cores() -> int:
    """The processor cores this process may run on (its affinity, else the machine's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _redis_url(env: Mapping[str, str], environment: str) -> str:
    name = "REFLEX_REDIS_URL"
    raw = env.get(name, "").strip()
    if not raw:
        if environment == "prod":
            raise SettingsError(f"{name} must be set in prod (redis://host:6379/0): the workers and app "
                                "instances share the tabs' state there")
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        shown = raw.replace(parts.password, "***") if parts.password else raw  # never the password in a message
        raise SettingsError(f"{name}={shown!r} is not a redis:// or rediss:// URL such as redis://127.0.0.1:6379/0")
    return raw


def _workers(env: Mapping[str, str], redis_url: str) -> int:
    name, cores = "LCADMIN_WORKERS", usable_cores()
    if not redis_url:
        if _text(env, name, "1") != "1":
            raise SettingsError(f"{name} above 1 needs REFLEX_REDIS_URL: without Redis each worker would keep "
                                "its own tabs' state")
        return 1
    return _int(env, name, cores, 1, cores)


def _secret_text(env: Mapping[str, str], name: str) -> str:
    raw = env.get(name, "").strip()
    if raw and len(raw) < 32:
        raise SettingsError(f"{name} is too short: use at least 32 random characters")
    return raw


def _timezone(env: Mapping[str, str]) -> str:
    name = "LCADMIN_TIMEZONE"
    raw = _text(env, name, "Europe/Paris")
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise SettingsError(f"{name}={raw!r} is not an IANA time zone such as Europe/Paris") from error
    return raw


def _iban(env: Mapping[str, str]) -> str:
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    name = "LCADMIN_VENDOR_IBAN"
    raw = _text(env, name, "FR7630006000011234567890189")
    try:
        return IBAN(raw, validate_bban=True).compact
    except SchwiftyException as error:
        raise SettingsError(f"{name}={raw!r} is not a valid IBAN ({error})") from error


def _creditor_id(env: Mapping[str, str]) -> str:
    from lcadmin.domain.sepa import creditor_id_ok

    name = "LCADMIN_VENDOR_SEPA_CREDITOR_ID"
    raw = _text(env, name, "FR72ZZZ123456").replace(" ", "").upper()
    if not creditor_id_ok(raw):
        raise SettingsError(f"{name}={raw!r} is not a SEPA creditor identifier (such as FR72ZZZ123456: country, "
                            "check digits, business code, national identifier)")
    return raw


def _retry_days(env: Mapping[str, str]) -> tuple[int, ...]:
    name = "LCADMIN_COLLECTION_RETRY_DAYS"
    raw = _text(env, name, "3,5,7")
    parts = [part.strip() for part in raw.split(",")] if raw.lower() != "none" else []
    if not all(part.isascii() and part.isdigit() for part in parts) or len(parts) > 10:
        raise SettingsError(f"{name}={raw!r} is not a list of days after the due date, such as 3,5,7 (or none)")
    days = tuple(int(part) for part in parts)
    if list(days) != sorted(set(days)) or any(not 1 <= day <= 60 for day in days):
        raise SettingsError(f"{name}={raw!r} must list increasing days between 1 and 60, such as 3,5,7")
    return days


def _address(env: Mapping[str, str], name: str, default: str) -> str:
    raw = _text(env, name, default)
    try:
        validate_email(raw, check_deliverability=False)
    except EmailNotValidError as error:
        raise SettingsError(f"{name}={raw!r} is not an e-mail address") from error
    return raw


def _vendor(env: Mapping[str, str]) -> VendorSettings:
    vendor = VendorSettings(
        name=_text(env, "LCADMIN_VENDOR_NAME", "Northwind"),
        legal_name=_text(env, "LCADMIN_VENDOR_LEGAL_NAME", "Northwind SAS"),
        siren=_text(env, "LCADMIN_VENDOR_SIREN", "812345676").replace(" ", ""),
        vat_number=_text(env, "LCADMIN_VENDOR_VAT_NUMBER", "FR19812345676").replace(" ", "").upper(),
        address_line1=_text(env, "LCADMIN_VENDOR_ADDRESS", "10 rue de la Paix"),
        postal_code=_text(env, "LCADMIN_VENDOR_POSTAL_CODE", "75002"),
        city=_text(env, "LCADMIN_VENDOR_CITY", "Paris"),
        country_code=_text(env, "LCADMIN_VENDOR_COUNTRY", "FR").upper(),
        logo_path=_logo(env),
        timezone=_timezone(env),
        rcs_city=_text(env, "LCADMIN_VENDOR_RCS_CITY", "Paris"),
        share_capital=_int(env, "LCADMIN_VENDOR_SHARE_CAPITAL", 50_000, 1, 10**12),
        iban=_iban(env),
        bic=_text(env, "LCADMIN_VENDOR_BIC", "AGRIFRPPXXX").replace(" ", "").upper(),
        support_email=_address(env, "LCADMIN_VENDOR_SUPPORT_EMAIL", "facturation@northwind.example"),
        sepa_creditor_id=_creditor_id(env),
    )
    if not re.fullmatch(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?", vendor.bic):
        raise SettingsError(f"LCADMIN_VENDOR_BIC={vendor.bic!r} is not a BIC (8 or 11 letters and digits)")
    if not is_valid_siren(vendor.siren):
        raise SettingsError(f"LCADMIN_VENDOR_SIREN={vendor.siren!r} is not a valid SIREN (9 digits, Luhn key)")
    if not is_valid_vat_number(vendor.vat_number):
        raise SettingsError(f"LCADMIN_VENDOR_VAT_NUMBER={vendor.vat_number!r} is not a valid VAT number")
    if not re.fullmatch(r"[A-Z]{2}", vendor.country_code):
        raise SettingsError(f"LCADMIN_VENDOR_COUNTRY={vendor.country_code!r} is not an ISO 3166 country code")
    return vendor


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the configuration.

    Args:
        env: The variables to read; the process environment when omitted.

    Returns:
        The validated settings.

    Raises:
        SettingsError: A value is missing or invalid; the message names the variable.
    """
    env = os.environ if env is None else env
    environment = _choice(env, "LCADMIN_ENV", "dev", ENVIRONMENTS)
    vendor = _vendor(env)
    db_url = _text(env, "REFLEX_DB_URL", DEFAULT_DB_URL)
    if not re.match(r"^(sqlite:///|postgresql\+psycopg://)", db_url):
        raise SettingsError(
            f"REFLEX_DB_URL={db_url!r} must be a sqlite:///... or postgresql+psycopg://... URL"
        )
    if environment == "prod" and not db_url.startswith("postgresql"):
        raise SettingsError("REFLEX_DB_URL must name a PostgreSQL database in prod (postgresql+psycopg://...): "
                            "SQLite has one writer and cannot be shared by several app instances")
    redis_url = _redis_url(env, environment)
    return Settings(
        env=environment,
        secret_key=_secret_key(env, environment),
        public_url=_public_url(env, environment),
        default_locale=_choice(env, "LCADMIN_DEFAULT_LOCALE", "fr", LOCALES),
        db_url=db_url,
        vendor=vendor,
        smtp=SmtpSettings(
            host=_text(env, "LCADMIN_SMTP_HOST", "localhost"),
            port=_int(env, "LCADMIN_SMTP_PORT", 25, 1, 65535),
            username=env.get("LCADMIN_SMTP_USERNAME", ""),
            password=env.get("LCADMIN_SMTP_PASSWORD", ""),
            starttls=_flag(env, "LCADMIN_SMTP_STARTTLS", False),
            mail_from=_mail_from(env, vendor.name),
        ),
        activation_ttl_hours=_int(env, "LCADMIN_ACTIVATION_TTL_HOURS", 24, 1, 168),
        session_idle_minutes=_int(env, "LCADMIN_SESSION_IDLE_MINUTES", 30, 5, 24 * 60),
        session_max_hours=_int(env, "LCADMIN_SESSION_MAX_HOURS", 12, 1, 24 * 30),
        payment_provider=_payment_provider(env, environment),
        sepa_prenotification_days=_int(env, "LCADMIN_SEPA_PRENOTIFICATION_DAYS", 14, 1, 30),
        collection_retry_days=_retry_days(env),
        automatic_collection=_flag(env, "LCADMIN_AUTOMATIC_COLLECTION", True),
        redis_url=redis_url,
        workers=_workers(env, redis_url),
        background=_choice(env, "LCADMIN_BACKGROUND", "web", ("web", "worker")),
        metrics_token=_secret_text(env, "LCADMIN_METRICS_TOKEN"),
        log_format=_choice(env, "LCADMIN_LOG_FORMAT", "json" if environment == "prod" else "text", ("json", "text")),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, validated on first use."""
    return load_settings()
