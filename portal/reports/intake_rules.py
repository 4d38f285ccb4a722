"""What a submission must carry, by kind (Art. 9 of the 2019 interim measures, amended 2022).

A complaint is a consumer dispute settled by mediation: the bureau must be able to reach the
complainant and know what they ask for. A tip-off needs only the business and the facts.
"""

import enum
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from portal.reports.states import Kind
from portal.validators import is_amount, licence_kind


class Demand(enum.StrEnum):
    """What a complainant asks the business for."""

    REFUND = "refund"  # 退款
    REPLACEMENT = "replacement"  # 更换
    REPAIR = "repair"  # 修理
    COMPENSATION = "compensation"  # 赔偿
    OTHER = "other"  # 其他


DEMAND_TEXT = {
    Demand.REFUND: _l("Refund"),
    Demand.REPLACEMENT: _l("Replacement"),
    Demand.REPAIR: _l("Repair"),
    Demand.COMPENSATION: _l("Compensation"),
    Demand.OTHER: _l("Other"),
}

# Demands that ask for money: the amount involved must be stated.
MONEY_DEMANDS = frozenset({Demand.REFUND, Demand.COMPENSATION})
MAX_AMOUNT = Decimal("9999999999.99")  # Numeric(12, 2)


def intake_problem(data):
    """The ReportError code of the first rule this submission breaks, or None."""
    kind = Kind(data.kind)
    if data.wants_reward and kind != Kind.TIP:
        return "reward_only_for_tips"
    if data.business_licence and licence_kind(data.business_licence) is None:
        return "invalid_licence"
    if kind == Kind.COMPLAINT:
        return _complaint_problem(data)
    if data.also_tip:
        return "also_tip_only_for_complaints"
    if data.demand or data.demand_amount is not None:
        return "demand_only_for_complaints"
    if not data.anonymous and not data.reporter_name:
        return "real_name_needs_name"
    return None


def _complaint_problem(data):
    if data.anonymous:
        return "complaint_not_anonymous"
    identity = (data.reporter_name, data.reporter_phone, data.reporter_address)
    if not all(identity):
        return "complaint_needs_identity"
    if not data.business_address:
        return "complaint_needs_business_address"
    return _demand_problem(data) or _online_problem(data)


def _demand_problem(data):
    try:
        demand = Demand(data.demand or "")
    except ValueError:
        return "complaint_needs_demand"
    amount = data.demand_amount
    if amount is None:
        return "demand_needs_amount" if demand in MONEY_DEMANDS else None
    if not is_amount(amount, MAX_AMOUNT):
        return "invalid_amount"
    return None


def _online_problem(data):
    if data.category.online and not (data.platform and data.order_number):
        return "online_order_needs_details"
    return None
