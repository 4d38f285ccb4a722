"""Demo data for `make run`: staff accounts and ~50 reports in every state (real-name complaints
with demands, and a linked complaint + tip-off pair) and one conversation with a reporter, made
through the same operations the portal uses, so the audit chain and routing are real."""

import random
from datetime import timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from portal.accounts.models import Role, User
from portal.accounts.operations import create_user
from portal.accounts.two_factor import enrol_with_secret
from portal.audit.chain import Actor
from portal.clock import frozen_at, local_today, utcnow
from portal.directory.loader import by_code
from portal.directory.models import Category, Department, Region
from portal.extensions import db
from portal.messages.models import Message
from portal.messages.operations import reply_from_reporter, send_to_reporter
from portal.reports.models import Report
from portal.reports.operations import (
    IntakeData,
    reroute_report,
    submit_report,
    transition_report,
)
from portal.reports.receipts import new_submission_token
from portal.reports.states import TRANSITIONS, DeclineGround, Kind, MediationEndGround, State, move

# Published in the README, so refused at sign-in outside development and test, as is the
# shorter one seeded before the 12-character rule.
DEMO_PASSWORD = "demo-2026-portal"
PUBLISHED_PASSWORDS = (DEMO_PASSWORD, "demo-2026")

# username, display name, role, department code
DEMO_USERS = [
    ("admin", "系统管理员", Role.ADMIN, None),
    ("auditor", "审计员 王审", Role.AUDITOR, None),
    ("finance", "财务 李财", Role.FINANCE, None),
    ("fso.staff", "食安办 赵受理", Role.STAFF, "fso"),
    ("fso.lead", "食安办 钱主任", Role.LEAD, "fso"),
    ("market.staff", "市场监管 孙承办", Role.STAFF, "market"),
    ("market.lead", "市场监管 周科长", Role.LEAD, "market"),
    ("xihu.staff", "西湖分局 吴承办", Role.STAFF, "market-330106"),
    ("agri.staff", "农业农村 郑承办", Role.STAFF, "agriculture"),
]

# Published TOTP secrets of the demo accounts whose role needs a second factor (README). Only
# `flask seed demo` in development enrols them; `flask users totp-code NAME` prints the code.
DEMO_TOTP_SECRETS = {
    "admin": "OBXXE5DBNQWWIZLNN4WWCZDNNFXC4LRO",
    "auditor": "OBXXE5DBNQWWIZLNN4WWC5LENF2G64RO",
    "finance": "OBXXE5DBNQWWIZLNN4WWM2LOMFXGGZJO",
    "fso.lead": "OBXXE5DBNQWWIZLNN4WWM43PFZWGKYLE",
    "market.lead": "OBXXE5DBNQWWIZLNN4WW2YLSNNSXILTM",
}

BUSINESSES = [
    ("老街坊餐馆", "文三路 88 号"),
    ("鲜果多超市", "学院路 12 号"),
    ("康宁大药房", "体育场路 301 号"),
    ("美丽佳化妆品店", "延安路 56 号"),
    ("好运来烧烤", "古墩路 7 号"),
    ("阳光幼儿园食堂", "翠苑二区"),
    ("绿源农贸市场", "三墩镇中心街"),
    ("速达外卖厨房", "滨盛路 1199 号"),
    ("安心电梯维保公司", "江南大道 400 号"),
    ("红火烟花经营部", "城厢街道人民路 9 号"),
]

STORIES = [
    "后厨卫生很差，地上有老鼠屎，员工不戴口罩直接处理熟食。",
    "买到的牛奶已经过期三天，货架上还有很多同批次的产品。",
    "药店没有执业药师在岗，店员直接把处方药卖给我，没有要处方。",
    "店里卖的面霜没有中文标签，用后脸上起红疹，商家拒绝退货。",
    "烧烤摊使用来路不明的肉，价格明显低于市场价，怀疑是病死猪肉。",
    "学校食堂给孩子吃的蔬菜发黄腐烂，家长多次反映没有改善。",
    "市场摊位出售的豆芽疑似用了无根剂，颜色异常发白。",
    "外卖平台上的这家店没有实体店面，地址是一间居民楼。",
    "小区电梯年检标志过期半年，最近多次困人。",
    "这家店在居民楼一楼储存大量烟花爆竹，没有任何消防措施。",
]

# Where each demo report should end up, per track (every state of each track), cycled.
TARGET_STATES = {
    Kind.COMPLAINT: [State.SUBMITTED] * 5
    + [State.ACCEPTED] * 3
    + [State.DECLINED] * 2
    + [State.RETURNED] * 2
    + [State.MEDIATING] * 4
    + [State.MEDIATED] * 3
    + [State.MEDIATION_ENDED] * 3
    + [State.CLOSED] * 3,
    Kind.TIP: [State.SUBMITTED] * 5
    + [State.RETURNED] * 2
    + [State.VERIFYING] * 4
    + [State.CASE_OPENED] * 3
    + [State.NOT_OPENED] * 2
    + [State.PENALTY_DECIDED] * 3
    + [State.NO_PENALTY] * 2
    + [State.CLOSED] * 3,
}

# The decision each closed demo report was closed on, per kind.
CLOSED_FROM = {Kind.COMPLAINT: State.MEDIATED, Kind.TIP: State.PENALTY_DECIDED}


def path_to(kind, target):
    """The steps from submitted to target on this kind's track (closed via CLOSED_FROM)."""
    if target == State.CLOSED:
        return [*path_to(kind, CLOSED_FROM[kind]), State.CLOSED]
    table, path, frontier = TRANSITIONS[kind], {State.SUBMITTED: []}, [State.SUBMITTED]
    while frontier:
        here = frontier.pop(0)
        for step in table[here]:
            if step not in path and step != State.CLOSED:
                path[step] = [*path[here], step]
                frontier.append(step)
    return path[target]


class DemoRefused(RuntimeError):
    """Demo accounts with a published password must never reach a production database."""


def _refuse_in_production():
    if current_app.config["ENV_NAME"] == "production":
        raise DemoRefused("refusing to load demo data in production (PORTAL_ENV=production)")


def password_refused_in(env, password):
    """A published demo password opens nothing outside development and test."""
    return env not in ("development", "test") and password in PUBLISHED_PASSWORDS


def ensure_demo_users():
    _refuse_in_production()
    created = 0
    for username, display, role, dept_code in DEMO_USERS:
        if db.session.scalar(select(User).where(User.username == username)):
            continue
        dept = by_code(Department, dept_code)
        user = create_user(username, display, role, dept, DEMO_PASSWORD, Actor("system", "demo-seed"))
        user.email = DEMO_LEAD_EMAILS.get(username)
        created += 1
    if current_app.config["ENV_NAME"] == "development":
        enrol_demo_totp()
    return created


def enrol_demo_totp():
    """Give the demo accounts that need TOTP their published secrets (development only: a
    published secret is no second factor anywhere else)."""
    if current_app.config["ENV_NAME"] != "development":
        raise DemoRefused("demo TOTP secrets are published; they are only set with PORTAL_ENV=development")
    enrolled = 0
    for username, secret in DEMO_TOTP_SECRETS.items():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is not None and not user.totp_enrolled:
            enrol_with_secret(user, secret, Actor("system", "demo-seed"))
            enrolled += 1
    return enrolled


def _actor(report, step):
    """Someone of the report's department whose role may make this move (leads decide)."""
    roles = move(report.kind, report.state, step).roles
    users = db.session.scalars(
        select(User).where(User.department_id == report.department_id).order_by(User.id)
    ).all()
    user = next((u for u in users if u.role in roles), None)
    return Actor.for_user(user) if user else Actor("system", "demo-seed")


# Complainants (a complaint is always real-name, with a postal address and a demand).
COMPLAINANTS = [
    ("张三", "13800138000", "杭州市西湖区文三路 100 号 3 单元 501"),
    ("李梅", "13957112345", "杭州市拱墅区湖墅南路 20 号"),
    ("王建国", "0571-87654321", "杭州市滨江区江南大道 88 号"),
]
DEMANDS = [("refund", Decimal("89.00")), ("compensation", Decimal("1000.00")), ("replacement", None)]


def _complaint_fields(rng):
    """What a complaint must carry (Art. 9): who complains, where they live, what they ask for."""
    (name, phone, address), (demand, amount) = rng.choice(COMPLAINANTS), rng.choice(DEMANDS)
    return dict(
        anonymous=False,
        reporter_name=name,
        reporter_phone=phone,
        reporter_address=address,
        demand=demand,
        demand_amount=amount,
    )


def _intake(rng, categories, regions, kind, **extra):
    name, address = rng.choice(BUSINESSES)
    real = rng.random() < 0.4
    category = rng.choice(categories)
    complaint = _complaint_fields(rng) if kind == "complaint" else {}
    if category.online:
        complaint |= {"platform": "美团外卖", "order_number": f"2026{rng.randint(10**11, 10**12 - 1)}"}
    fields = dict(
        kind=kind,
        category=category,
        region=rng.choice(regions),
        business_name=name,
        business_address=address,
        business_licence=None,
        description=rng.choice(STORIES),
        occurred_on=None,
        anonymous=not real,
        reporter_name="张三" if real else None,
        reporter_phone="13800138000" if real else None,
        reporter_id_number=None,
        contact_email=None,
        wants_reward=kind == "tip" and rng.random() < 0.5,
        language="zh_CN",
    )
    return IntakeData(**(fields | complaint | extra))


def _decision(report, step, rng, day):
    """The reason and details a step records, as staff would write them."""
    serial = f"{day.year}{report.id:04d}"
    return {
        State.DECLINED: ("投诉人已向人民法院起诉。", {"ground": DeclineGround.BEFORE_COURT}),
        State.RETURNED: ("不属于本部门职责，退回食安办重新分派。", {}),
        State.MEDIATED: (None, {"terms": "商家当场退款 128 元并赔礼道歉，双方无异议。"}),
        State.MEDIATION_ENDED: (
            "被投诉人两次无故缺席调解。",
            {"ground": MediationEndGround.PARTY_REFUSED_OR_ABSENT},
        ),
        State.CASE_OPENED: (None, {"case_number": f"杭市监立字〔{day.year}〕{serial}号", "opened_on": day}),
        State.NOT_OPENED: ("经核查，举报事项无违法事实。", {}),
        State.PENALTY_DECIDED: (
            None,
            {
                "decision_number": f"杭市监处罚〔{day.year}〕{serial}号",
                "decided_on": day,
                "confiscation_yuan": Decimal(rng.choice(["0.00", "3560.50", "12800.00"])),
                "fine_yuan": Decimal(rng.choice(["5000.00", "50000.00", "120000.00"])),
                "referred_for_prosecution": False,
            },
        ),
        State.NO_PENALTY: ("违法行为轻微并及时改正，没有造成危害后果，依法不予行政处罚。", {}),
    }.get(step, (None, {}))


def _advance(report, target, rng, moment):
    """Walk the report along its own track, a day or two per step, through the real operation."""
    for step in path_to(Kind(report.kind), target):
        moment += timedelta(days=rng.randint(1, 2), hours=rng.randint(0, 6))
        with frozen_at(moment):
            reason, details = _decision(report, step, rng, local_today())
            transition_report(report, step, _actor(report, step), reason, **details)
    return moment


def load_demo_reports(count=50, seed=2026):
    """Create demo reports unless some exist; returns how many were created."""
    _refuse_in_production()
    if db.session.scalar(select(func.count()).select_from(Report)):
        return 0
    rng = random.Random(seed)
    categories = db.session.scalars(select(Category)).all()
    regions = db.session.scalars(select(Region).where(Region.level > 1)).all()
    start = utcnow() - timedelta(days=60)
    # Up to 48 days after the start: the longest walk (about 10 days) still ends before today.
    moments = sorted(start + timedelta(minutes=rng.randint(0, 60 * 24 * 48)) for _ in range(count))
    kinds = [Kind.COMPLAINT if i % 2 == 0 else Kind.TIP for i in range(count)]
    targets = [TARGET_STATES[kind][i // 2 % len(TARGET_STATES[kind])] for i, kind in enumerate(kinds)]
    for moment, kind, target in zip(moments, kinds, targets, strict=True):
        with frozen_at(moment):
            report = submit_report(_intake(rng, categories, regions, kind), [], new_submission_token()).report
        _advance(report, target, rng, moment)
    _reroute_one_returned()
    with frozen_at(utcnow() - timedelta(days=1)):
        _file_linked_pair(rng, categories, regions)
    return count + 2


# The demo conversation's report: its receipt is printed by `flask seed demo` (development data).
CONVERSATION_EMAIL = "reporter@example.org"
DEMO_QUESTION = "您好，请问您看到过期食材是在哪一天？是否拍到了食材的外包装或生产日期？"
DEMO_ANSWER = "是11月15日晚上，我拍到了外包装，日期是上个月的。后厨后门的冰柜里还有很多。"


def load_demo_conversation():
    """One tip-off with an email in which staff asked and the reporter answered, so a newcomer
    sees the conversation and the notification mails; its Receipt, or None if demo data exists."""
    _refuse_in_production()
    if db.session.scalar(select(func.count()).select_from(Message)):
        return None
    staff = db.session.scalar(select(User).where(User.username == "market.staff"))
    category, region = by_code(Category, "food.catering"), by_code(Region, "330105")
    if staff is None or category is None or region is None:
        return None
    intake = IntakeData(
        kind="tip", category=category, region=region, business_name="老街坊餐馆",
        business_address="文三路 88 号", business_licence=None,
        description="后厨使用过期食材，冰柜里的冻肉包装上的日期已经过了。", occurred_on=None,
        anonymous=False, reporter_name="陈晓", reporter_phone="13700001234", reporter_id_number=None,
        contact_email=CONVERSATION_EMAIL, wants_reward=False, language="zh_CN",
    )  # fmt: skip
    start = utcnow() - timedelta(hours=6)
    with frozen_at(start):
        receipt = submit_report(intake, [], new_submission_token())
    with frozen_at(start + timedelta(hours=1)):
        transition_report(receipt.report, State.VERIFYING, Actor.for_user(staff))
        send_to_reporter(receipt.report, DEMO_QUESTION, staff)
    with frozen_at(start + timedelta(hours=3)):
        reply_from_reporter(receipt.report, DEMO_ANSWER, [])
    return receipt


# Where the demo leads' daily digests go (`flask deadlines sweep`, printed by the console mailer).
DEMO_LEAD_EMAILS = {"fso.lead": "fso.lead@example.gov.cn", "market.lead": "market.lead@example.gov.cn"}


def _file_linked_pair(rng, categories, regions):
    """A complaint that also reports a violation: TS-… and JB-…, one receipt, one key."""
    intake = _intake(
        rng,
        [c for c in categories if c.code == "food.catering"] or categories,
        regions,
        "complaint",
        description="在店里吃饭后全家腹泻，要求退款；后厨使用过期食材，同时举报。",
        also_tip=True,
    )
    submit_report(intake, [], new_submission_token())


def _reroute_one_returned():
    """Show the intake office at work: one returned report is sent on to agriculture."""
    report = db.session.scalar(select(Report).where(Report.state == State.RETURNED.value))
    agriculture = by_code(Department, "agriculture")
    fso_staff = db.session.scalar(select(User).where(User.username == "fso.staff"))
    if report and agriculture and fso_staff:
        reroute_report(report, agriculture, Actor.for_user(fso_staff), "属于食用农产品，转农业农村局。")


DEMO_RATING_COMMENTS = ("处理及时，谢谢", "还可以", "等了很久才有结果", "没有解决我的问题")


def load_demo_ratings(seed=2026):
    """Ratings of the decided demo reports (one of them asks for a lead's review), then the
    statistics aggregate rebuilt and today's audit head published, so `make run` shows real
    charts. Returns how many ratings were made (none if some exist)."""
    from portal.audit.anchor import publish_head
    from portal.satisfaction.models import SatisfactionRating
    from portal.satisfaction.operations import decided_at, rate_report
    from portal.statistics.refresh import refresh_statistics

    _refuse_in_production()
    made = 0
    if not db.session.scalar(select(func.count()).select_from(SatisfactionRating)):
        rng = random.Random(seed)
        decided = [r for r in db.session.scalars(select(Report).order_by(Report.id)) if not r.is_open]
        asked = False
        for report in decided:
            if report.state == "returned":
                continue
            score = rng.choice((5, 5, 4, 4, 4, 3, 2, 1))
            review = score <= 2 and not asked
            # Rated a few days after the decision, as a reporter would (never in the future).
            moment = min(decided_at(report) + timedelta(days=rng.randint(0, 5), hours=2), utcnow())
            with frozen_at(moment):
                rate_report(
                    report,
                    score,
                    rng.choice(DEMO_RATING_COMMENTS),
                    ask_review=review,
                    reason="没有联系我核实情况" if review else "",
                )
            asked = asked or review
            made += 1
    refresh_statistics(full=True)
    publish_head()
    return made
