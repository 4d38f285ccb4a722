"""Demo rewards for `flask seed demo`: tip-offs of the market bureau at every reward step, made
through the real operations (market.staff proposes, market.lead approves, finance pays), plus
one joint award (the joint reporter's share claimed in person after an identity check), one
reversal (a payout returned by the bank, then the award itself corrected: reversed and replaced
by a corrected award, which is paid), one lapsed award and one anomaly the auditors' view flags."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.audit.chain import SYSTEM, Actor
from portal.clock import frozen_at, local_today, utcnow
from portal.directory.loader import by_code
from portal.directory.models import Category, Region
from portal.extensions import db
from portal.reports.operations import IntakeData, submit_report, transition_report
from portal.reports.receipts import new_submission_token
from portal.reports.reporters import Reporter, ReporterRole, ReportReporter
from portal.reports.states import State
from portal.rewards import corrections
from portal.rewards import operations as ops
from portal.rewards.eligibility import Answers
from portal.rewards.models import RewardAward

CLEAR = Answers(
    natural_person=True, regulator_staff=False, legal_duty=False, infringed_party=False,
    violator=False, insider=False, paid_by_business=False,
)  # fmt: skip
# The anomaly: 王五 claims two awards of two different cases to the same account.
SHARED_ACCOUNT = "6222021234567890"

# (step, reporter name, phone, fines): the step each demo tip-off is taken to.
STEPS = [
    ("eligible", "赵一", "13600000001", "150000.00"),
    ("proposed", "钱二", "13600000002", "180000.00"),
    ("approved", "孙三", "13600000003", "120000.00"),
    ("claimed", "李四", "13600000004", "240000.00"),
    ("paid", "王五", "13600000005", "160000.00"),
    ("joint", "周六", "13600000006", "300000.00"),
    ("reversed", "吴七", "13600000007", "110000.00"),
    ("lapsed", "郑八", "13600000008", "130000.00"),
    ("anomaly", "王五", "13600000009", "200000.00"),
]
REWARD_STORY = "仓库里存放大量假冒白酒，晚上装车运往各区小超市，我拍到了装车过程和送货单。"


def _user(username):
    return db.session.scalar(select(User).where(User.username == username))


def _decided_tip(name, phone, fines, start):
    """A real-name tip-off asking for a reward, taken to a penalty decision, a day per step."""
    intake = IntakeData(
        kind="tip", category=by_code(Category, "food.catering"), region=by_code(Region, "330105"),
        business_name="诚信酒业批发部", business_address="德胜路 66 号", description=REWARD_STORY,
        anonymous=False, reporter_name=name, reporter_phone=phone, wants_reward=True,
    )  # fmt: skip
    staff, lead = Actor.for_user(_user("market.staff")), Actor.for_user(_user("market.lead"))
    with frozen_at(start):
        receipt = submit_report(intake, [], new_submission_token())
    report = receipt.report
    steps = [
        (State.VERIFYING, staff, {}),
        (State.CASE_OPENED, lead, {"case_number": f"杭市监立字〔2026〕R{report.id:04d}号",
                                   "opened_on": None}),
        (State.PENALTY_DECIDED, lead, {
            "decision_number": f"杭市监处罚〔2026〕R{report.id:04d}号", "decided_on": None,
            "confiscation_yuan": Decimal("0.00"), "fine_yuan": Decimal(fines),
            "referred_for_prosecution": False,
        }),
    ]  # fmt: skip
    for days, (state, actor, details) in enumerate(steps, start=1):
        with frozen_at(start + timedelta(days=days)):
            details = {k: (local_today() if v is None else v) for k, v in details.items()}
            transition_report(report, state, actor, **details)
    return receipt


def _add_joint(report, name):
    """A co-reporter recorded by staff (no operation exists for it yet: the row as staff would)."""
    joint = Reporter(name=name, phone="13600000066", created_at=utcnow())
    db.session.add(ReportReporter(report_id=report.id, reporter=joint, role=ReporterRole.JOINT))
    db.session.flush()
    db.session.expire(report, ["reporter_links"])


def _pay_all(award, finance, method="bank_transfer", on=None):
    for share in award.shares:
        reference = f"{'TX' if method == 'bank_transfer' else 'CASH'}-{award.id:04d}-{share.id:02d}"
        ops.record_payout(award, share, finance, share.amount, method, reference, on or local_today())


def _take(step, receipt, people, moment):
    staff, lead, finance = people
    report = receipt.report
    if step == "eligible":
        return
    if step == "joint":
        _add_joint(report, "冯九")
    with frozen_at(moment):
        award = ops.propose_reward(report, staff, 2, "有装车照片和送货单，线索直接促成查处。", CLEAR)
        if step == "proposed":
            return
    with frozen_at(moment + timedelta(hours=2)):
        ops.approve_reward(award, lead)
    if step in ("approved", "lapsed"):
        return
    with frozen_at(moment + timedelta(days=1)):
        if step == "joint":
            ops.claim_in_person(award, finance)  # the receipt holder, with the receipt
            joint = award.shares[1]  # 冯九 has no receipt: finance checks an identity document
            ops.claim_in_person(award, finance, joint, "居民身份证原件，已核验本人")
        else:
            _claim_by_bank(award)
    if step == "claimed":
        return
    with frozen_at(moment + timedelta(days=2)):
        _pay_all(award, finance, "cash" if step == "joint" else "bank_transfer")
    if step == "reversed":
        _correct(award, people, moment + timedelta(days=3))


def _claim_by_bank(award):
    report = award.report
    account = SHARED_ACCOUNT if report.primary_reporter.name == "王五" else f"62220200000{report.id:05d}"
    ops.claim_by_bank(award, report.primary_reporter.name, "中国工商银行杭州分行", account)


def _correct(award, people, moment):
    """The bank returns the payout; then the level proves wrong: staff ask for a correction, the
    lead confirms, and a corrected award (level 3) is proposed, approved, claimed and paid."""
    staff, lead, finance = people
    with frozen_at(moment):
        ops.reverse_payout(award.payouts[0], finance, "银行退回：收款账户已销户。")
        corrections.request_correction(award, staff, "复核发现证据仅为间接证据，应定为三级，需更正。")
    with frozen_at(moment + timedelta(hours=1)):
        corrections.confirm_correction(award, lead)
        corrected = ops.propose_reward(award.report, staff, 3, "更正：证据为相关证据，定为三级。", CLEAR)
    with frozen_at(moment + timedelta(hours=3)):
        ops.approve_reward(corrected, lead)
    with frozen_at(moment + timedelta(days=1)):
        _claim_by_bank(corrected)
    with frozen_at(moment + timedelta(days=2)):
        _pay_all(corrected, finance, "bank_transfer")


def load_demo_rewards():
    """The demo reward tip-offs; {step: Receipt} (empty if rewards exist or accounts are missing)."""
    if db.session.scalar(select(func.count()).select_from(RewardAward)):
        return {}
    people = tuple(_user(name) for name in ("market.staff", "market.lead", "finance"))
    if None in people or by_code(Region, "330105") is None:
        return {}
    now, receipts = utcnow(), {}
    for n, (step, name, phone, fines) in enumerate(STEPS):
        # The lapsed award was approved long enough ago for its 30 working days to run out.
        start = now - timedelta(days=120 if step == "lapsed" else 20 - n)
        receipt = _decided_tip(name, phone, fines, start)
        _take(step, receipt, people, start + timedelta(days=4))
        receipts[step] = receipt
    ops.lapse_unclaimed(SYSTEM)
    return receipts
