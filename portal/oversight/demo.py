"""Demo oversight data through the real operations: one published notice (so one black-list
entry), one red-list entry, one case under listed supervision (`flask seed demo`)."""

from datetime import date, timedelta

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.clock import local_today
from portal.extensions import db
from portal.oversight.lists import name_red_list, publish_red_list
from portal.oversight.models import PublicNotice
from portal.oversight.notices import draft_notice, publish_notice
from portal.oversight.supervision import put_under_supervision
from portal.reports.models import Report
from portal.reports.states import OPEN_STATES


def _user(name):
    return db.session.scalar(select(User).where(User.username == name))


def load_demo_oversight():
    """Returns what was made (a dict), or None if notices exist or a demo user is missing."""
    if db.session.scalar(select(func.count()).select_from(PublicNotice)):
        return None
    lead, supervisor = _user("market.lead"), _user("fso.lead")
    if lead is None or supervisor is None:
        return None
    mine = select(Report).where(Report.department_id == lead.department_id).order_by(Report.id)
    decided = db.session.scalar(mine.where(Report.decision_number.is_not(None)))
    open_one = db.session.scalar(mine.where(Report.state.in_([s.value for s in OPEN_STATES])))
    made = {}
    if decided is not None:
        notice = draft_notice(decided, "经营超过保质期的食品，违反《食品安全法》第三十四条", lead)
        made["notice"] = publish_notice(notice, supervisor)
    today = local_today()
    entry = name_red_list(
        lead,
        "诚信放心餐馆",
        "91330106MA2H000001",
        "连续三年零投诉，守法经营",
        date(today.year, 1, 1),
        date(today.year, 12, 31),
    )
    made["red_list"] = publish_red_list(entry, supervisor)
    if open_one is not None:
        made["supervised"] = put_under_supervision(
            open_one, supervisor, "请于期限内查处并每周报告进展", today + timedelta(days=30), 7
        )
    return made
