"""The JSON log lines of LCADMIN_LOG_FORMAT=json: valid JSON, one object per line, redacted."""

from __future__ import annotations

import io
import json
import logging
from datetime import datetime

import pytest

from lcadmin.logs import (
    JsonFormatter,
    bind_request_id,
    configure_logging,
    current_request_id,
    incoming_request_id,
    install_log_redaction,
    reset_request_id,
)

SESSION = "Q2hhbmdlLW1lLXNlc3Npb24taWQtMjU2LWJpdHMtbG9uZw"


@pytest.fixture
def lines():
    """A logger writing JSON lines into a buffer; the fixture gives the lines written so far."""
    install_log_redaction()
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("lcadmin.test_json_logs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.propagate = True


def test_every_record_is_one_valid_json_object_on_one_line(lines):
    logger, read = lines
    logger.info('a "quoted" message\nwith a second line, a tab\t, an accent: é, a lone surrogate: \udc80')
    logger.warning("%s invoices sent to %r", 3, 'o"brien')
    records = read()
    assert len(records) == 2
    first = records[0]
    assert first["message"].startswith('a "quoted" message\nwith a second line')
    assert "\udc80" in first["message"] and "é" in first["message"]
    assert first["level"] == "info" and first["logger"] == "lcadmin.test_json_logs"
    assert first["time"].endswith("Z")  # ISO 8601, UTC
    assert datetime.fromisoformat(first["time"].replace("Z", "+00:00")).utcoffset().total_seconds() == 0
    assert records[1]["message"] == "3 invoices sent to 'o\"brien'" and records[1]["level"] == "warning"
    assert all("exception" not in record for record in records)


def test_secrets_never_reach_a_json_line(lines):
    logger, read = lines
    logger.info("event %s", {"password": "hunter2-hunter2", "headers": {"cookie": f"lcadmin_session={SESSION}"}})
    try:
        raise KeyError(f"No handler for payload {{'password': 'hunter2-hunter2'}} cookie: lcadmin_session={SESSION}")
    except KeyError:
        logger.exception("failed for card 4242 4242 4242 4242")
    first, second = read()
    text = json.dumps([first, second])
    assert "hunter2" not in text and SESSION not in text and "4242 4242" not in text
    assert second["message"] == "failed for card [card]"  # the traceback is apart, in its own field
    assert "Traceback" in second["exception"] and "KeyError" in second["exception"]


def test_a_record_made_before_redaction_was_installed_is_redacted_too():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "login password=%s", ("hunter2-hunter2",), None)
    assert "hunter2" not in json.loads(JsonFormatter().format(record))["message"]


def test_the_request_id_bound_is_on_the_line(lines):
    logger, read = lines
    logger.info("outside any request")
    token = bind_request_id("req-1")
    try:
        logger.info("inside")
        assert current_request_id() == "req-1"
    finally:
        reset_request_id(token)
    outside, inside = read()
    assert outside["request_id"] is None and inside["request_id"] == "req-1"


@pytest.mark.parametrize("header", ["3f2a9c1e-77aa-4b1e-9c1e-2f8a4b1e9c1e", "abc", "A" * 128])
def test_a_well_formed_x_request_id_is_kept(header):
    assert incoming_request_id(header) == header


@pytest.mark.parametrize("header", [None, "", "A" * 129, "a b", "id\r\nX-Evil: 1", "Root=1-abc;Parent=2", "é"])
def test_any_other_x_request_id_is_replaced_by_a_fresh_one(header):
    fresh = incoming_request_id(header)
    assert fresh != header and len(fresh) == 16 and int(fresh, 16) >= 0
    assert incoming_request_id(header) != fresh


@pytest.fixture
def logging_state():
    """Put the loggers configure_logging touches back as they were."""
    names = ("", "reflex", "_granian", "granian.access")
    saved = {name: (list(logging.getLogger(name).handlers), logging.getLogger(name).propagate,
                    logging.getLogger(name).level) for name in names}
    yield
    for name, (handlers, propagate, level) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.propagate, logger.level = propagate, level
    logging.captureWarnings(False)


def test_json_mode_sends_the_apps_reflexs_and_granians_lines_through_one_json_handler(logging_state):
    reflex_sink = io.StringIO()
    reflex_handler = logging.StreamHandler(reflex_sink)  # as Reflex's command line attaches its own sink
    logging.getLogger("reflex").addHandler(reflex_handler)
    logging.getLogger("reflex").propagate = False
    stream = io.StringIO()
    configure_logging("json", stream)
    configure_logging("json", stream)  # twice is once
    try:
        logging.getLogger("lcadmin.jobs").info("outbox: 2 sent")
        logging.getLogger("reflex.app").warning("Received event from session %s with no token: %s", "sid",
                                                {"cookie": f"lcadmin_session={SESSION}"})
        logging.getLogger("_granian").info("Spawning worker-1 with PID: 4242")
        logging.getLogger("granian.access").info("GET /ping 200")
    finally:
        logging.getLogger("reflex").removeHandler(reflex_handler)
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [record["logger"] for record in records] == ["lcadmin.jobs", "reflex.app", "_granian", "granian.access"]
    assert SESSION not in stream.getvalue()
    assert reflex_sink.getvalue() == ""  # Reflex's own sink is silenced: each line is written once


def test_text_mode_changes_nothing(logging_state):
    root = logging.getLogger()
    before = list(root.handlers)
    configure_logging("text", io.StringIO())
    assert root.handlers == before


def test_a_format_whose_placeholder_holds_a_secret_still_gives_its_line(lines):
    logger, read = lines
    logger.info("redeeming code=%s from %s", "made-up-code", "203.0.113.9")
    (record,) = read()
    assert "made-up-code" not in record["message"] and record["message"].startswith("redeeming code=[redacted]")
