"""No log line carries a cookie, a password, card data or a token, and none is unbounded.

Libraries log what they hold when something goes wrong: Reflex logs a refused event with its
router data (the Cookie header, so live session ids) and its payload (a sign-in's password). A
log record factory installed once per process rewrites every record, whoever logs it, before
any handler sees it: secrets are replaced by ``[redacted]`` and the message is cut to
:data:`MAX_MESSAGE` characters. The traceback of a logged exception is rendered, redacted and
put into the message.

With ``LCADMIN_LOG_FORMAT=json`` (:func:`configure_logging`), every line is one JSON object: its
time (ISO 8601, UTC), level, logger, message, the request id of the event or HTTP request being
handled (:func:`current_request_id`) and, apart from the message, the exception's traceback.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import traceback
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import TextIO

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
        try:
            message = record.getMessage()
        except Exception:  # the format redacted away a placeholder ("code=%s"): the arguments no longer fit
            message = ""
    if not message or redact(message) != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[1] is not None:
        # Rendered here, redacted, and carried in the message: a handler that renders
        # tracebacks itself (with the values of local variables, say) never gets the exception.
        rendered = "".join(traceback.format_exception(*record.exc_info))
        message, exception = redact(_message(record)), redact(rendered, limit=4 * MAX_MESSAGE)
        record.msg = f"{message}\n{exception}"
        record.args = record.exc_info = record.exc_text = None
        # Kept apart as well, for the JSON lines' own "exception" field.
        record.lcadmin_message, record.lcadmin_exception = message, exception


def _redacting(factory):
    def make_record(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        _redact_record(record)
        record.lcadmin_redacted = True
        return record

    make_record.lcadmin_redacting = True  # type: ignore[attr-defined]
    return make_record


def install_log_redaction() -> None:
    """Make every log record of this process pass through :func:`redact` (idempotent)."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "lcadmin_redacting", False):
        logging.setLogRecordFactory(_redacting(factory))


# The request id of the websocket event or the HTTP request this code runs for. Context
# variables follow ``await`` and ``asyncio.to_thread``, so database work of a request carries it.
_request_id: ContextVar[str | None] = ContextVar("lcadmin_request_id", default=None)
# An X-Request-ID from the reverse proxy is kept only if it is short plain text (it is written
# into every log line of the request).
_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,128}")


def new_request_id() -> str:
    """A fresh request id: 16 random hexadecimal digits."""
    return secrets.token_hex(8)


def incoming_request_id(header: str | None) -> str:
    """The request id of an HTTP request: its ``X-Request-ID`` when well-formed (at most 128
    letters, digits and hyphens), else a fresh one."""
    if header and _REQUEST_ID.fullmatch(header):
        return header
    return new_request_id()


def bind_request_id(request_id: str | None) -> Token:
    """Make ``request_id`` the current one, until :func:`reset_request_id` with the token returned
    (or the end of the current task)."""
    return _request_id.set(request_id)


def reset_request_id(token: Token) -> None:
    """Restore the request id that was current before :func:`bind_request_id`."""
    _request_id.reset(token)


def current_request_id() -> str | None:
    """The id of the request being handled: the one bound here, else the transaction id Reflex
    gives the event it is processing (the backend's error handler runs outside the event's own
    task, with only Reflex's event context), else None."""
    bound = _request_id.get()
    if bound:
        return bound
    context = sys.modules.get("reflex_base.event.context")  # read only if Reflex is loaded
    if context is None:
        return None
    try:
        return context.EventContext.get().txid or None
    except LookupError:
        return None


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line: ``time``, ``level``, ``logger``, ``message``,
    ``request_id``, ``pid``, and ``exception`` when the record carries one. Non-ASCII text is
    escaped, so a line is valid JSON whatever the message holds (quotes, newlines, lone
    surrogates)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line (without its newline), redacted."""
        if getattr(record, "lcadmin_redacted", False):  # already cleaned by the record factory
            message = getattr(record, "lcadmin_message", None) or _message(record)
            exception = getattr(record, "lcadmin_exception", None)
        else:
            message = redact(_message(record))
            exception = (redact(self.formatException(record.exc_info), limit=4 * MAX_MESSAGE)
                         if record.exc_info and record.exc_info[1] is not None else None)
        if getattr(record, "rich", False):  # Reflex's console lines may carry rich markup
            reflex_log = sys.modules.get("reflex_base.utils.log")
            message = reflex_log.strip_markup(message) if reflex_log else message
        payload: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": message,
            "request_id": current_request_id(),
            "pid": record.process,
        }
        if exception:
            payload["exception"] = exception
        if record.stack_info:
            payload["stack"] = redact(record.stack_info, limit=4 * MAX_MESSAGE)
        return json.dumps(payload, ensure_ascii=True, default=str)


# Loggers that do not propagate to the root logger, each with sinks of its own: Reflex's (the
# ``reflex`` logger, rich or JSON, when run by its command line) and granian's (its server and
# access logs). Their lines go through the JSON handler instead.
_OWN_SINK_LOGGERS = ("reflex", "_granian", "granian.access")
_json_handler: logging.Handler | None = None


def _silenced(_record: logging.LogRecord) -> bool:
    return False


def configure_logging(log_format: str, stream: TextIO | None = None) -> None:
    """Set up this process's log output for ``LCADMIN_LOG_FORMAT`` (idempotent).

    ``json``: every record of the process, the app's own and Reflex's and granian's, is written
    to ``stream`` (standard error by default) by one :class:`JsonFormatter` handler, from INFO up;
    the sinks Reflex and granian attached are silenced (a file of Reflex's full logging stays);
    Python warnings become records too. ``text`` leaves the logging set-up as it is.
    """
    global _json_handler
    if log_format != "json":
        return
    install_log_redaction()
    if _json_handler is None:
        _json_handler = logging.StreamHandler(stream or sys.stderr)
        _json_handler.setFormatter(JsonFormatter())
    elif stream is not None and isinstance(_json_handler, logging.StreamHandler):
        _json_handler.setStream(stream)
    handler = _json_handler
    root = logging.getLogger()
    if handler not in root.handlers:
        root.addHandler(handler)
    if root.getEffectiveLevel() > logging.INFO:
        root.setLevel(logging.INFO)
    for name in _OWN_SINK_LOGGERS:
        logger = logging.getLogger(name)
        for other in logger.handlers:
            if other is not handler and not isinstance(other, logging.FileHandler) and _silenced not in other.filters:
                other.addFilter(_silenced)
        if handler not in logger.handlers:
            logger.addHandler(handler)
        logger.propagate = False
    logging.captureWarnings(True)


_text_handler: logging.Handler | None = None


def log_to_stderr(log_format: str) -> None:
    """A command's own log lines (``lcadmin worker``, ``lcadmin serve``), from INFO up, on
    standard error: JSON objects with ``json`` (:func:`configure_logging`), plain lines
    otherwise. Idempotent."""
    global _text_handler
    install_log_redaction()
    if log_format == "json":
        configure_logging(log_format)
        return
    root = logging.getLogger()
    if _text_handler is None:
        _text_handler = logging.StreamHandler(sys.stderr)
        _text_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if _text_handler not in root.handlers:
        root.addHandler(_text_handler)
    if root.getEffectiveLevel() > logging.INFO:
        root.setLevel(logging.INFO)
