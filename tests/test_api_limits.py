"""Rate limits on the API (on here, with memory storage; the suite turns them off): submissions,
receipt lookups and token use answer 429 with Retry-After in a problem document; and the API never
sets a cookie, even when asked for a language the web pages would remember in the session."""

import secrets

import pytest

from portal import create_app
from tests.api_helpers import assert_problem, bearer, file_report, staff_token, tip_body
from tests.conftest import IsolatedClient, _config


@pytest.fixture
def limited(app, database_url, tmp_path):
    def build(**settings):
        config = _config(database_url, tmp_path) | {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_KEY_PREFIX": "test-" + secrets.token_hex(4),
        }
        built = create_app(config | settings)
        built.test_client_class = IsolatedClient
        return built.test_client()

    return build


def _retry_after(response):
    assert_problem(response, 429)
    seconds = int(response.headers["Retry-After"])
    assert 0 < seconds <= 3600
    return seconds


def test_submissions_share_the_forms_budget_and_answer_429(limited):
    client = limited(SUBMISSION_LIMIT="2 per minute")
    file_report(client)
    file_report(client)
    refused = client.post("/api/v1/reports", json=tip_body())
    assert _retry_after(refused) == 60
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.reports.models import Report

    assert db.session.scalar(select(func.count(Report.id))) == 2


def test_receipt_lookups_are_limited_per_address(limited):
    client = limited(RECEIPT_LOOKUP_LIMIT="3 per minute")
    created = file_report(client)
    url, key = f"/api/v1/reports/{created['number']}", {"X-Access-Key": "WRONG-KEY"}
    assert [client.get(url, headers=key).status_code for _ in range(3)] == [404, 404, 404]
    refused = client.get(url, headers={"X-Access-Key": created["access_key"]})
    _retry_after(refused)
    # Uploads and answers open the report with the receipt too: the same budget.
    assert client.post(url + "/messages", json={"body": "x"}, headers=key).status_code == 429


def test_token_use_is_limited(limited):
    client = limited(API_TOKEN_LIMIT="2 per minute")
    token = staff_token("clerk", "staff", "market")
    assert [client.get("/api/v1/staff/reports", headers=bearer(token)).status_code for _ in range(2)] == [
        200,
        200,
    ]
    _retry_after(client.get("/api/v1/staff/reports", headers=bearer(token)))
    _retry_after(client.get("/api/v1/staff/reports", headers=bearer("pat_guess")))  # guessing costs too


def test_the_api_sets_no_cookie(client):
    created = file_report(client)
    for response in (
        client.get("/api/v1/categories?lang=en"),
        client.get(
            f"/api/v1/reports/{created['number']}?lang=en", headers={"X-Access-Key": created["access_key"]}
        ),
        client.get("/api/v1/nowhere"),
        client.get("/api/v1/docs?lang=en"),
        client.post("/api/v1/reports?lang=en", json=tip_body()),
    ):
        assert response.status_code in (200, 201, 404)
        assert "Set-Cookie" not in response.headers
    # The web pages do remember ?lang= (so the check above can fail).
    assert "Set-Cookie" in client.get("/?lang=en").headers
