"""Demo data for `make run`: staff accounts and ~50 reports in every state (real-name complaints
with demands, and a linked complaint + tip-off pair), made through the same operations the
portal uses, so the audit chain and routing are real."""

import random
from datetime import timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from portal.accounts.models import Role, User
from portal.accounts.operations import create_user
from portal.audit.chain import Actor
from portal.clock import frozen_at, utcnow
from portal.directory.loader import by_code
from portal.directory.models import Category, Department, Region
from portal.extensions import db
from portal.reports.models import Report
from portal.reports.operations import (
    IntakeData,
    reroute_report,
    submit_report,
    transition_report,
)
from portal.reports.receipts import new_submission_token
from portal.reports.states import DeclineGround, State

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

# Where each demo report should end up, and how many of each.
TARGET_STATES = (
    [State.SUBMITTED] * 14
    + [State.ACCEPTED] * 8
    + [State.INVESTIGATING] * 8
    + [State.DECLINED] * 4
    + [State.RETURNED] * 3
    + [State.SUBSTANTIATED] * 5
    + [State.PARTLY_SUBSTANTIATED] * 2
    + [State.UNSUBSTANTIATED] * 2
    + [State.CLOSED] * 4
)

PATHS = {
    State.SUBMITTED: [],
    State.ACCEPTED: [State.ACCEPTED],
    State.INVESTIGATING: [State.ACCEPTED, State.INVESTIGATING],
    State.DECLINED: [State.DECLINED],
    State.RETURNED: [State.RETURNED],
    State.SUBSTANTIATED: [State.ACCEPTED, State.INVESTIGATING, State.SUBSTANTIATED],
    State.PARTLY_SUBSTANTIATED: [State.ACCEPTED, State.INVESTIGATING, State.PARTLY_SUBSTANTIATED],
    State.UNSUBSTANTIATED: [State.ACCEPTED, State.INVESTIGATING, State.UNSUBSTANTIATED],
    State.CLOSED: [State.ACCEPTED, State.INVESTIGATING, State.SUBSTANTIATED, State.CLOSED],
}


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
        create_user(username, display, role, dept, DEMO_PASSWORD, Actor("system", "demo-seed"))
        created += 1
    return created


def _staff_actor(report):
    user = db.session.scalar(select(User).where(User.department_id == report.department_id))
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


def _advance(report, target, rng):
    for step in PATHS[target]:
        actor = _staff_actor(report)
        if step == State.DECLINED:
            ground = DeclineGround.NOT_PERSONAL_CONSUMPTION if report.kind == "complaint" else None
            transition_report(report, step, actor, "经核查不符合受理条件。", ground)
        elif step == State.RETURNED:
            transition_report(report, step, actor, "不属于本部门职责，退回食安办重新分派。")
        else:
            transition_report(report, step, actor, None)


def load_demo_reports(count=50, seed=2026):
    """Create demo reports unless some exist; returns how many were created."""
    _refuse_in_production()
    if db.session.scalar(select(func.count()).select_from(Report)):
        return 0
    rng = random.Random(seed)
    categories = db.session.scalars(select(Category)).all()
    regions = db.session.scalars(select(Region).where(Region.level > 1)).all()
    start = utcnow() - timedelta(days=60)
    moments = sorted(start + timedelta(minutes=rng.randint(0, 60 * 24 * 58)) for _ in range(count))
    targets = [TARGET_STATES[i % len(TARGET_STATES)] for i in range(count)]
    for moment, target in zip(moments, targets, strict=True):
        with frozen_at(moment):
            kind = "complaint" if rng.random() < 0.5 else "tip"
            report = submit_report(_intake(rng, categories, regions, kind), [], new_submission_token()).report
        with frozen_at(moment + timedelta(days=rng.randint(1, 5))):
            _advance(report, target, rng)
    _reroute_one_returned()
    with frozen_at(utcnow() - timedelta(days=1)):
        _file_linked_pair(rng, categories, regions)
    return count + 2


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
