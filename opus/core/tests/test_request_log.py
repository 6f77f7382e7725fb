"""Every request carries an id through its log lines and back to the client."""

import json
import logging

import pytest

from opus.core.request_log import REQUEST_ID, RequestIdFilter

pytestmark = pytest.mark.django_db


def test_a_request_gets_an_id_in_its_response_and_its_log_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="opus.requests"):
        response = client.get("/healthz")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    [record] = [r for r in caplog.records if r.name == "opus.requests"]
    assert (record.method, record.path, record.status) == ("GET", "/healthz", 200)
    assert record.duration_ms >= 0
    assert REQUEST_ID.get() == "-"  # nothing leaks into the next request


def test_the_proxys_id_is_kept_when_sane_and_replaced_when_not(client):
    kept = client.get("/healthz", headers={"X-Request-ID": "proxy-1234abcd"})
    assert kept["X-Request-ID"] == "proxy-1234abcd"
    replaced = client.get("/healthz", headers={"X-Request-ID": 'bad id"\n'})
    assert replaced["X-Request-ID"] != 'bad id"\n' and len(replaced["X-Request-ID"]) == 32


def test_production_logs_are_json_lines_with_the_request_id():
    from pythonjsonlogger.json import JsonFormatter

    formatter = JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"levelname": "level"},
    )
    record = logging.LogRecord("opus.requests", logging.INFO, __file__, 1, "GET / 200", (), None)
    token = REQUEST_ID.set("abc12345")
    try:
        RequestIdFilter().filter(record)
    finally:
        REQUEST_ID.reset(token)
    line = json.loads(formatter.format(record))
    assert line["request_id"] == "abc12345" and line["level"] == "INFO"
