"""No log line carries a cookie, a password, card data or a token, and none is unbounded.

Libraries log what they hold when something goes wrong: Reflex logs a refused event with its
router data (the Cookie header, so live session ids) and its payload (a sign-in's password). A
log record factory installed once per process rewrites every record, whoever logs it, before
any handler sees it: secrets are replaced by ``[redacted]`` and the message is cut to
:data:`MAX_MESSAGE` characters. The traceback of a logged exception is rendered, redacted and
put into the message.
"""

from __future__ import annotations

import logging
import re
import traceback

from lcadmin.domain.identifiers import luhn_ok

MAX_MESSAGE = 2_000
_REDACTED = "[redacted]"

_SECRET_NAMES = (r"cookie|set-cookie|authorization|password|passwd|secret|token|code|card_number|card_cvc|"
                 r"card_expiry|cvc|cvv|iban|lcadmin_session|lcadmin_handoff|idempotency_key|_key")
_PATTERNS = (
    # 'password': 'x'  "cookie": "a=b; c=d"  (dict reprs and JSON)
    re.compile(rf"""(?P<head>(['"])(?:{_SECRET_NAMES})\2\s*:\s*)(?P<quote>['"])(?P<value>(?:\\.|(?!(?P=quote)).)*)(?P=quote)""",
               re.IGNORECASE),
    # password=x  lcadmin_session=x  code=x  (query strings, cookie headers, key=value logs)
    re.compile(rf"(?P<head>\b(?:{_SECRET_NAMES})=)(?P<value>[^\s&;,'\")]+)", re.IGNORECASE),
    # Cookie: a=b; c=d  (header lines)
    re.compile(r"(?P<head>\b(?:cookie|set-cookie|authorization):\s*)(?P<value>[^\r\n]+)", re.IGNORECASE),
    # the secrets in the app's own links
    re.compile(r"(?P<head>/(?:activate|decision|report)/)(?P<value>[A-Za-z0-9_\-]{16,})"),
)
# 13 to 19 digits, possibly grouped: a card number (kept only if it fails the Luhn check).
_DIGIT_RUN = re.compile(r"(?<![0-9])(?:[0-9][ -]?){12,18}[0-9](?![0-9])")


def _card(match: re.Match) -> str:
    digits = re.sub(r"[ -]", "", match.group(0))
    return "[card]" if luhn_ok(digits) else match.group(0)


def redact(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` without secrets, at most ``limit`` characters (then marked as cut)."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group("head") + (m.group("quote") + _REDACTED + m.group("quote")
                                                        if "quote" in m.groupdict() and m.group("quote")
                                                        else _REDACTED), text)
    text = _DIGIT_RUN.sub(_card, text)
    if len(text) > limit:
        text = text[:limit] + f"… [{len(text) - limit} characters cut]"
    return text


def _redacted_argument(value: object) -> object:
    # Numbers stay numbers (for %d); anything else is rendered and redacted (an event's repr
    # carries its cookies and payload).
    return value if isinstance(value, (int, float)) else redact(str(value))


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:
        return str(record.msg)


def _redact_record(record: logging.LogRecord) -> None:
    message = _message(record)
    clean = redact(message)
    if clean != message and isinstance(record.args, tuple) and record.args:
        # Keep the arguments' shape where redacting them one by one is enough: some formatters
        # read them (uvicorn's access log unpacks the client, the path and the status).
        record.msg, record.args = redact(str(record.msg)), tuple(_redacted_argument(a) for a in record.args)
        message = _message(record)
    if redact(message) != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[1] is not None:
        # Rendered here, redacted, and carried in the message: a handler that renders
        # tracebacks itself (with the values of local variables, say) never gets the exception.
        rendered = "".join(traceback.format_exception(*record.exc_info))
        record.msg = f"{redact(_message(record))}\n{redact(rendered, limit=4 * MAX_MESSAGE)}"
        record.args = record.exc_info = record.exc_text = None


def _redacting(factory):
    def make_record(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        _redact_record(record)
        return record

    make_record.lcadmin_redacting = True  # type: ignore[attr-defined]
    return make_record


def install_log_redaction() -> None:
    """Make every log record of this process pass through :func:`redact` (idempotent)."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "lcadmin_redacting", False):
        logging.setLogRecordFactory(_redacting(factory))
