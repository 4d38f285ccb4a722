"""Shared builders for the API tests: request bodies, staff tokens, receipts."""

from portal.extensions import db
from tests.conftest import make_user

COMPLAINT_REPORTER = {
    "name": "王小明",
    "phone": "13912345678",
    "address": "杭州市西湖区文三路 100 号",
    "email": "wang@example.com",
}


def tip_body(**overrides):
    body = {
        "kind": "tip",
        "category": "food.catering",
        "region": "330105",
        "subject": {"name": "老街坊餐馆", "address": "文三路 88 号"},
        "description": "后厨卫生很差，员工不戴口罩直接处理熟食。",
        "occurred_on": "2026-11-01",
        "anonymous": True,
    }
    return body | overrides


def complaint_body(**overrides):
    body = tip_body(
        kind="complaint",
        anonymous=False,
        reporter=dict(COMPLAINT_REPORTER),
        demand={"type": "refund", "amount": "128.50"},
    )
    return body | overrides


def file_report(client, body=None, **headers):
    response = client.post("/api/v1/reports", json=body or tip_body(), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def staff_token(username, role, department_code=None, expires_days=90):
    """A user and a personal token for it, made by the domain function the CLI calls."""
    from portal.api.tokens import create_token
    from portal.audit.chain import SYSTEM

    user = make_user(username, role, department_code)
    _row, plain = create_token(user, SYSTEM, expires_days)
    db.session.commit()
    return plain


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response, status, code=None):
    """An RFC 9457 problem document with the status, and the code in its type."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    if code is not None:
        assert body["type"] == f"urn:portal:problem:{code}", body
    return body
