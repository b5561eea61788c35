"""Schemathesis against the app's own OpenAPI document: generated requests (valid and invalid) to
the API's endpoints never get a 5xx. Runs against a real server; bounded by max_examples."""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from service_testlib import AUTH, Server, corpus_plan, make_settings, server_env, wait_for_status


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """A server holding one analysed plan, so that some generated ids can hit real rows."""
    tmp_path = tmp_path_factory.mktemp("fuzz")
    server = Server(server_env(tmp_path, PLANGAP_MAX_UPLOAD_MB="1"), tmp_path / "server.log").start()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        plan = corpus_plan(3)
        document = client.post("/documents", files={"file": (plan.name, plan.read_bytes())}, headers=AUTH).json()
        analysis = client.post("/analyses", json={"document_id": document["id"]}, headers=AUTH).json()
        wait_for_status(client, f"/analyses/{analysis['id']}")
    yield server
    server.stop()


def api_operations():
    """The API's operations, read from the OpenAPI document the app itself publishes."""
    from service.api.main import create_app

    schema = schemathesis.openapi.from_dict(create_app(make_settings(Path("unused"))).openapi())
    schema = schema.include(path_regex=r"^/(documents|analyses|flags|healthz|me|users)")
    return [result.ok() for result in schema.get_all_operations()]


OPERATIONS = api_operations()


@pytest.mark.slow
@pytest.mark.parametrize("operation", OPERATIONS, ids=[operation.label for operation in OPERATIONS])
def test_generated_requests_never_get_a_server_error(operation, live_server):
    # schemathesis' own pytest plugin (schemathesis.pytest.from_fixture) breaks on pytest 9, so the
    # operation's hypothesis strategy is driven directly
    @given(case=operation.as_strategy())
    @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(base_url=live_server.url, headers=AUTH, checks=[not_a_server_error])

    check()
