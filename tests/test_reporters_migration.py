"""Migration 0007 moves identity out of reports as ciphertext, and back on downgrade."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portal.extensions import db
from portal.security import data_cipher
from tests.test_migrations import empty_app, empty_database_url  # noqa: F401 (fixtures)

pytestmark = pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")

INSERT_REPORT = (
    "INSERT INTO reports (id, number, kind, state, category_id, region_id, department_id, business_name,"
    " business_licence, description, anonymous, reporter_name, reporter_phone, reporter_id_number,"
    " contact_email, wants_reward, language, access_key_hash, submission_token_hash, receipt_key_id,"
    " received_at, updated_at) VALUES (:id, :number, 'tip', 'submitted', 1, 1, 1, '店', :licence, '事实',"
    " :anonymous, :name, :phone, NULL, :email, :no, 'zh_CN', 'h', :token, 'k1', :at, :at)"
)


def _seed_reference(conn):
    conn.execute(
        text(
            'INSERT INTO categories (id, code, name_zh, name_en, "group", position, active)'
            " VALUES (1, 'food.online_ordering', '网络订餐', 'Online', 'food', 0, :yes)"
        ),
        {"yes": True},
    )
    conn.execute(
        text("INSERT INTO regions (id, code, name_zh, name_en, level) VALUES (1, '3301', '杭州', 'HZ', 1)")
    )
    conn.execute(
        text(
            "INSERT INTO departments (id, code, name_zh, name_en, is_intake_office, active)"
            " VALUES (1, 'fso', '食安办', 'FSO', :yes, :yes)"
        ),
        {"yes": True},
    )


def test_identity_moves_to_reporters_as_the_same_ciphertext_and_back(empty_app):  # noqa: F811 (fixture)
    upgrade(revision="0006")
    encrypt = lambda value: data_cipher().encrypt(value.encode()).decode()  # noqa: E731
    name, phone, email = encrypt("王小明"), encrypt("13912345678"), encrypt("anon@example.cn")
    rows = [
        dict(
            id=1,
            number="JB-2026-000001",
            licence="91330100799655058B",
            anonymous=False,
            name=name,
            phone=phone,
            email=None,
        ),
        dict(
            id=2,
            number="JB-2026-000002",
            licence="330106000123456",
            anonymous=True,
            name=None,
            phone=None,
            email=email,
        ),
        dict(id=3, number="JB-2026-000003", licence=None, anonymous=True, name=None, phone=None, email=None),
    ]
    with db.engine.begin() as conn:
        _seed_reference(conn)
        for row in rows:
            conn.execute(
                text(INSERT_REPORT),
                row | {"no": False, "token": f"t{row['id']}", "at": "2026-11-01 08:00:00"},
            )

    upgrade(revision="0007")
    with db.engine.connect() as conn:
        moved = conn.execute(
            text(
                "SELECT l.report_id, l.role, r.name, r.phone, r.email FROM report_reporters l"
                " JOIN reporters r ON r.id = l.reporter_id ORDER BY l.report_id"
            )
        ).all()
        kinds = conn.execute(text("SELECT business_licence_kind FROM reports ORDER BY id")).scalars().all()
        online = conn.execute(text("SELECT online FROM categories")).scalar_one()
    assert [tuple(m) for m in moved] == [(1, "primary", name, phone, None), (2, "primary", None, None, email)]
    assert kinds == ["uscc", "registration", None] and online

    downgrade(revision="0006")
    with db.engine.connect() as conn:
        back = conn.execute(
            text("SELECT reporter_name, reporter_phone, contact_email FROM reports ORDER BY id")
        ).all()
    assert [tuple(b) for b in back] == [(name, phone, None), (None, None, email), (None, None, None)]
