"""A reward from proposal to payout, clicked through by three staff accounts and the reporter:
staff propose, a lead approves (TOTP), the reporter claims on the status page with the receipt
(real name, bank account), finance records the payout (TOTP); then the auditor sees the trail.
Debian Chromium."""

from decimal import Decimal

from sqlalchemy import select

from portal.clock import local_today
from portal.extensions import db
from portal.reports.receipts import format_key
from portal.rewards.models import RewardAward, RewardPayout
from tests.conftest import current_totp, enrol_totp, make_user
from tests.rewards_helpers import decided_tip

LAPTOP = {"width": 1280, "height": 900}
PASSWORD = "correct horse battery"
ANSWERS = {
    "natural_person": "yes", "regulator_staff": "no", "legal_duty": "no", "infringed_party": "no",
    "violator": "no", "insider": "no", "paid_by_business": "no",
}  # fmt: skip


def _sign_in(page, base, username, totp=False):
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    if totp:
        page.fill("input[name=code]", current_totp())
        with page.expect_navigation():
            page.click("main form button[type=submit]")
    assert page.url == f"{base}/admin/"


def _award(report):
    db.session.expire_all()
    return db.session.scalar(select(RewardAward).where(RewardAward.report_id == report.id))


def test_a_reward_goes_from_proposal_to_payout_through_three_accounts_and_the_reporter(
    app, live_server, browser_page, screenshot
):
    report, key = decided_tip()
    make_user("sun.staff", "staff", "market")
    for username, role in (("zhou.lead", "lead"), ("li.finance", "finance"), ("wang.auditor", "auditor")):
        enrol_totp(make_user(username, role, "market" if role == "lead" else None))
    page = browser_page
    page.set_viewport_size(LAPTOP)
    reward_url = f"{live_server}/admin/reports/{report.number}/reward"

    _sign_in(page, live_server, "sun.staff")
    page.goto(reward_url)
    page.select_option("#propose-form select[name=level]", "2")
    for name, value in ANSWERS.items():
        page.select_option(f"#propose-form select[name={name}]", value)
    page.fill("#propose-form textarea[name=justification]", "举报人提供了进货单和照片，直接促成查处。")
    screenshot("r1-staff-proposes")
    with page.expect_navigation():
        page.click("#propose-form button[type=submit]")
    award = _award(report)
    assert (award.status, award.amount, award.rule_amount) == (
        "proposed",
        Decimal("3600.00"),
        Decimal("3600.00"),
    )

    _sign_in(page, live_server, "zhou.lead", totp=True)
    page.goto(reward_url)
    page.select_option("#decide-form select[name=decision]", "approve")
    with page.expect_navigation():
        page.click("#decide-form button[type=submit]")
    assert _award(report).status == "approved"
    screenshot("r2-lead-approved")

    page.context.clear_cookies()
    page.goto(f"{live_server}/track")
    page.fill("input[name=number]", report.number)
    page.fill("input[name=access_key]", format_key(key))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.fill("#reward-claim-form input[name=payee_name]", "李四")
    page.fill("#reward-claim-form input[name=bank_name]", "中国工商银行杭州分行")
    page.fill("#reward-claim-form input[name=bank_account]", "6222 0212 3456 7890")
    screenshot("r3-reporter-claims")
    with page.expect_navigation():
        page.click("#reward-claim-form button[type=submit]")
    assert page.locator("#reward-claimed").count() == 1
    assert _award(report).primary_share.bank_account == "6222021234567890"

    _sign_in(page, live_server, "li.finance", totp=True)
    page.goto(reward_url)
    assert "6222021234567890" in page.inner_text(f"#claim-{award.id}")  # finance sees it in full
    page.fill("#payout-form input[name=amount]", "3600.00")
    page.select_option("#payout-form select[name=method]", "bank_transfer")
    page.fill("#payout-form input[name=reference]", "ICBC-20261123-001")
    page.fill("#payout-form input[name=paid_on]", local_today().isoformat())
    with page.expect_navigation():
        page.click("#payout-form button[type=submit]")
    db.session.expire_all()
    payout = db.session.scalar(select(RewardPayout).where(RewardPayout.award_id == award.id))
    assert (payout.amount, payout.reference) == (Decimal("3600.00"), "ICBC-20261123-001")
    screenshot("r4-finance-paid")

    _sign_in(page, live_server, "wang.auditor", totp=True)
    page.goto(f"{live_server}/admin/rewards/audit")
    row = page.locator(f"tr[data-award='{award.id}']")
    assert row.get_attribute("data-flags") == ""
    assert "6222********7890" in row.inner_text() and "6222021234567890" not in page.content()
    assert "3600.00" in row.locator(".rule-amount").inner_text()
    screenshot("r5-auditor-sees-the-trail")
