"""API fuzzing with schemathesis against ``/api/openapi.json``, with each role's token.

Generated requests for every operation (random and boundary values in paths, queries and bodies): no 500,
every response conforms to the schema (status code, content type, body), and no response carries data of
an organisation the caller does not belong to.
"""

from __future__ import annotations

import os

import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from web.conftest import ROLES
from web.test_authorization import samples  # noqa: F401 - the fixture

#: Examples per operation, each sent with every role's token (``make fuzz`` sends 300 per operation).
EXAMPLES = int(os.environ.get("DEKKEND_FUZZ_EXAMPLES", "12"))
#: Roles that must never see the other test region (see tests/web/test_authorization.py MEMBERS).
OUTSIDERS_OF_OTHER_REGION = ("bestuur", "regiocoordinator", "adviseur", "buitenstaander")


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_the_api_survives_generated_requests_and_keeps_organisations_apart(world, samples, monkeypatch, request):  # noqa: F811
    from django.core.wsgi import get_wsgi_application

    from dekkend.web import tasks

    monkeypatch.setattr(tasks, "start_job", lambda taak: taak)  # jobs are queued, not run
    # The WSGI handler closes "old" database connections at each request's start and end; inside the test's
    # transaction that would close the test's own connection on PostgreSQL (Django's test client does the same).
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
        request.addfinalizer(lambda signal=signal: signal.connect(close_old_connections))
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    headers = {role: {"Authorization": f"Bearer {samples['tokens'][role][1]}"} for role in ROLES}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def call(case: schemathesis.Case) -> None:
            for role in ROLES:
                response = case.call(headers=headers[role])
                case.validate_response(response, checks=CHECKS)
                if role in OUTSIDERS_OF_OTHER_REGION:
                    assert "Andere regio" not in response.text, f"{role} kreeg gegevens van een andere regio"

        call()
