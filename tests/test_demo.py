"""`flask seed demo`: a living system for newcomers, made through the real operations."""

from decimal import Decimal

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.reports.models import Report
from portal.reports.states import STATES


def test_seed_demo_creates_reports_in_every_state_of_each_track_and_a_valid_chain(runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    rows = db.session.execute(
        select(Report.kind, Report.state, func.count()).group_by(Report.kind, Report.state)
    )
    counts = {(kind, state): n for kind, state, n in rows}
    # 50, a linked complaint + tip-off, the conversation, and 9 tip-offs at every reward step
    assert sum(counts.values()) == 62
    assert set(counts) == {(kind.value, state.value) for kind, states in STATES.items() for state in states}
    penalty = db.session.scalars(select(Report).where(Report.state == "penalty_decided")).first()
    assert isinstance(penalty.fine_yuan, Decimal) and penalty.fine_yuan > 0
    departments = db.session.scalar(select(func.count(func.distinct(Report.department_id))))
    assert departments >= 3
    assert db.session.scalar(select(func.count()).select_from(User)) == 9
    assert "OK" in runner.invoke(args=["audit", "verify"]).output
    _demo_rewards_at_every_step(result.output)


def _demo_rewards_at_every_step(output):
    """Rewards from eligible to paid, a joint award, a reversal, a lapse, and one flagged anomaly."""
    from portal.rewards.audit_flags import Flag, flag_awards
    from portal.rewards.models import RewardAward, RewardReversal

    awards = db.session.scalars(select(RewardAward).order_by(RewardAward.id)).all()
    assert sorted(a.status for a in awards) == ["approved"] * 6 + ["lapsed", "proposed", "reversed"]
    joint = [a for a in awards if len(a.shares) > 1]
    assert len(joint) == 1 and [s.claim_method for s in joint[0].shares] == ["in_person", "in_person"]
    assert joint[0].shares[1].identity_note and len(joint[0].payouts) == 2
    reversed_award = next(a for a in awards if a.status == "reversed")
    corrected = next(a for a in awards if a.corrects_award_id == reversed_award.id)
    assert reversed_award.reversal.confirmed_at and corrected.status == "approved" and corrected.payouts
    assert corrected.level == 3
    paid = [a for a in awards if any(p.reversal is None for p in a.payouts)]
    assert len(paid) == 4 and db.session.scalar(select(func.count()).select_from(RewardReversal)) == 1
    assert sum(1 for a in awards if a.claimed and not a.payouts) == 1
    findings, _ = flag_awards(awards)
    flagged = {a.report.number: {f.flag for f in findings[a.id]} for a in awards if findings[a.id]}
    assert list(flagged.values()) == [{Flag.SHARED_PAYEE}] * 2
    eligible = next(line for line in output.splitlines() if line.startswith("demo reward (eligible)"))
    number = eligible.split()[3].rstrip(",")
    assert db.session.scalar(select(Report).where(Report.number == number)).wants_reward


def test_demo_complaints_carry_a_complainant_and_a_demand_and_one_pair_is_linked(runner):
    runner.invoke(args=["seed", "demo"])
    complaints = db.session.scalars(select(Report).where(Report.kind == "complaint")).all()
    assert complaints and all(c.demand and not c.anonymous for c in complaints)
    assert all(c.primary_reporter.name and c.primary_reporter.postal_address for c in complaints)
    pair = db.session.scalar(
        select(Report).where(Report.linked_report_id.is_not(None), Report.kind == "complaint")
    )
    assert pair.linked_report.kind == "tip" and pair.linked_report.linked_report == pair


def test_demo_holds_a_conversation_whose_mails_the_console_mailer_prints(app, runner):
    from portal.messages.models import Direction, Message
    from portal.reports.operations import find_by_receipt

    result = runner.invoke(args=["seed", "demo"])
    line = next(x for x in result.output.splitlines() if x.startswith("demo conversation:"))
    number, key = line.split()[2].rstrip(","), line.split()[5]
    report = find_by_receipt(number, key)  # the printed receipt opens the report
    messages = db.session.scalars(select(Message).where(Message.report_id == report.id).order_by(Message.id))
    assert [m.direction for m in messages] == [Direction.TO_REPORTER, Direction.FROM_REPORTER]
    app.config["MAIL_SERVER"] = ""
    mails = runner.invoke(args=["outbox", "deliver", "--once"]).output
    assert mails.count("console mailer") == 2 and "outbox: 2 sent" in mails  # verifying, the question
    assert number in mails and key not in mails


def test_seed_is_idempotent(runner):
    runner.invoke(args=["seed", "demo"])
    again = runner.invoke(args=["seed", "demo"])
    assert "0 new staff accounts" in again.output and "0 new reports" in again.output
    ref = runner.invoke(args=["seed", "reference"])
    assert ref.exit_code == 0 and "categories=18" in ref.output


def test_demo_accounts_can_sign_in(runner, client):
    runner.invoke(args=["seed", "demo"])
    response = client.post("/admin/login", data={"username": "market.staff", "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_demo_data_is_refused_in_production(app, runner):
    app.config["ENV_NAME"] = "production"
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code != 0 and "production" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_demo_shows_a_notice_a_black_and_a_red_list_entry_and_a_supervised_case(runner, client):
    from portal.oversight.models import SupervisedCase

    result = runner.invoke(args=["seed", "demo"])
    assert "demo oversight: notice, red_list, supervised" in result.output, result.output
    lists = client.get("/lists").get_data(as_text=True)
    assert 'id="black-list"' in lists and "诚信放心餐馆" in lists
    assert client.get("/notices").get_data(as_text=True).count("data-notice=") == 1
    assert db.session.scalar(select(SupervisedCase.report_id)) is not None
