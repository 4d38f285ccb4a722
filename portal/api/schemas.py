"""The API's marshmallow schemas: what requests may carry (unknown fields are refused) and what
responses hold. Money travels as decimal strings, times as ISO 8601 with their time zone (Beijing),
dates as ISO dates. The OpenAPI document (portal/api/openapi.py) is generated from these."""

from decimal import Decimal, InvalidOperation

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from portal.clock import local_today, to_local
from portal.messages.models import MESSAGE_MAX_CHARS
from portal.reports.intake_rules import Demand
from portal.reports.states import DeclineGround, Kind, MediationEndGround, State
from portal.validators import MULTILINE_ALLOWED, _control_characters, is_valid_phone, is_valid_resident_id

DESCRIPTION_MIN, DESCRIPTION_MAX = 10, 5000  # as the web form (portal/site/forms.py)


class Strict(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


class LocalDateTime(fields.DateTime):
    """A stored naive-UTC time, sent as ISO 8601 in Beijing time with its offset (+08:00)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return to_local(value).isoformat() if value.tzinfo is None else value.isoformat()


class Money(fields.String):
    """Yuan as a decimal string ("128.50"); a JSON number is refused (it may have lost the fen)."""

    default_error_messages = {"invalid": 'Give the amount as a decimal string, e.g. "128.50".'}

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update(
            {"format": "decimal", "example": "128.50", "pattern": r"^\d{1,12}(\.\d{1,2})?$"}
        )
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{Decimal(value):.2f}"

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            raise self.make_error("invalid") from None
        if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
            raise self.make_error("invalid")
        return amount


def _no_control(multiline):
    allowed = MULTILINE_ALLOWED if multiline else frozenset()

    def check(value):
        if value and _control_characters(value, allowed):
            raise ValidationError("Remove the invisible control characters from this text.")

    return check


def _text(maximum, required=False, minimum=None, multiline=False, **kwargs):
    rules = [validate.Length(min=minimum or (1 if required else 0), max=maximum), _no_control(multiline)]
    return fields.String(required=required, validate=rules, **kwargs)


def _phone(value):
    if value and not is_valid_phone(value):
        raise ValidationError("Enter an 11-digit mobile number or a landline with area code.")


def _resident_id(value):
    if value and not is_valid_resident_id(value.upper()):
        raise ValidationError("This ID card number is not valid.")


def _not_future(value):
    if value and value > local_today():
        raise ValidationError("The date cannot be in the future.")


# ---- reference data --------------------------------------------------------------------------


class ReferenceItem(Schema):
    code = fields.String(required=True)
    name_zh = fields.String(required=True)
    name_en = fields.String(required=True)


class CategoryItem(ReferenceItem):
    group = fields.String(required=True, metadata={"description": "food, drug or quality"})
    online = fields.Boolean(
        required=True,
        metadata={"description": "An online order: a complaint gives platform and order_number."},
    )


class RegionItem(ReferenceItem):
    level = fields.Integer(required=True, metadata={"description": "1 city, 2 district, 3 street"})
    parent = fields.String(allow_none=True, metadata={"description": "The parent region's code."})


class DepartmentItem(ReferenceItem):
    intake_office = fields.Boolean(required=True)


class CategoryList(Schema):
    items = fields.List(fields.Nested(CategoryItem), required=True)


class RegionList(Schema):
    items = fields.List(fields.Nested(RegionItem), required=True)


class DepartmentList(Schema):
    items = fields.List(fields.Nested(DepartmentItem), required=True)


# ---- submission -------------------------------------------------------------------------------


class SubjectIn(Strict):
    name = _text(200, required=True, metadata={"description": "The business reported."})
    address = _text(300, allow_none=True)
    licence_no = _text(
        40, allow_none=True, metadata={"description": "Unified social credit code or licence number."}
    )


class ReporterIn(Strict):
    name = _text(100, allow_none=True)
    phone = fields.String(allow_none=True, validate=[validate.Length(max=20), _phone])
    address = _text(300, allow_none=True, metadata={"description": "Postal address (complaints)."})
    id_number = fields.String(allow_none=True, validate=[validate.Length(max=18), _resident_id])
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))


class DemandIn(Strict):
    type = fields.String(required=True, validate=validate.OneOf([d.value for d in Demand]))
    amount = Money(allow_none=True, metadata={"description": "Required for refund and compensation."})


class ReportIn(Strict):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in Kind]))
    category = fields.String(
        required=True, validate=validate.Length(min=1, max=40), metadata={"description": "A category code."}
    )
    region = fields.String(
        required=True,
        validate=validate.Length(min=1, max=12),
        metadata={"description": "A region code (district or street)."},
    )
    subject = fields.Nested(SubjectIn, required=True)
    description = _text(DESCRIPTION_MAX, required=True, minimum=DESCRIPTION_MIN, multiline=True)
    occurred_on = fields.Date(allow_none=True, validate=_not_future)
    anonymous = fields.Boolean(
        load_default=True,
        metadata={"description": "false is required for a complaint (the default is true)."},
    )
    reporter = fields.Nested(ReporterIn, allow_none=True)
    demand = fields.Nested(DemandIn, allow_none=True, metadata={"description": "Complaints only."})
    platform = _text(100, allow_none=True, metadata={"description": "Online orders: the platform."})
    order_number = _text(64, allow_none=True, metadata={"description": "Online orders: the order number."})
    also_tip = fields.Boolean(
        load_default=False,
        metadata={"description": "A complaint that also reports a violation: two linked reports."},
    )
    wants_reward = fields.Boolean(load_default=False, metadata={"description": "Tip-offs only."})

    @validates_schema
    def _kind_fields(self, data, **kwargs):
        if data.get("kind") == Kind.TIP and data.get("demand"):
            raise ValidationError("A demand is only for complaints.", "demand")


class ReportCreated(Schema):
    number = fields.String(required=True)
    access_key = fields.String(required=True, metadata={"description": "Shown only in this answer."})
    kind = fields.String(required=True)
    state = fields.String(required=True)
    department = fields.String(required=True)
    received_at = LocalDateTime(required=True)
    linked_number = fields.String(
        metadata={"description": "The linked tip-off, when also_tip made two reports (same access key)."}
    )


class EvidenceCreated(Schema):
    sha256 = fields.String(required=True)
    mime_type = fields.String(required=True)
    size_bytes = fields.Integer(required=True)
    metadata_stripped = fields.Boolean(required=True)


# ---- the reporter's view ----------------------------------------------------------------------


class StateOut(Schema):
    code = fields.String(required=True)
    text = fields.String(
        required=True, metadata={"description": "What the reporter reads, in the requested language."}
    )


class DepartmentOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class TimelineEntryOut(Schema):
    at = LocalDateTime(required=True)
    text = fields.String(required=True)


class MessageOut(Schema):
    id = fields.Integer(required=True)
    direction = fields.String(required=True, validate=validate.OneOf(["to_reporter", "from_reporter"]))
    body = fields.String(required=True)
    at = LocalDateTime(required=True)
    attachments = fields.List(
        fields.String(), required=True, metadata={"description": "sha256 of each file."}
    )


class LegalDateOut(Schema):
    code = fields.String(required=True)
    due_on = fields.Date(required=True)
    sentence = fields.String(required=True)
    basis = fields.String(required=True)
    running = fields.Boolean(required=True)
    provisional = fields.Boolean(required=True)


class ReportStatus(Schema):
    number = fields.String(required=True)
    kind = fields.String(required=True)
    state = fields.Nested(StateOut, required=True)
    department = fields.Nested(DepartmentOut, required=True)
    received_at = LocalDateTime(required=True)
    timeline = fields.List(fields.Nested(TimelineEntryOut), required=True)
    messages = fields.List(fields.Nested(MessageOut), required=True)
    legal_dates = fields.List(fields.Nested(LegalDateOut), required=True)
    linked_number = fields.String(allow_none=True)


class MessageIn(Strict):
    body = _text(MESSAGE_MAX_CHARS, required=True, multiline=True)


class MessageCreated(Schema):
    id = fields.Integer(required=True)
    direction = fields.String(required=True)
    at = LocalDateTime(required=True)


# ---- staff ------------------------------------------------------------------------------------


class QueueArgs(Strict):
    state = fields.String(validate=validate.OneOf([s.value for s in State]))
    kind = fields.String(validate=validate.OneOf([k.value for k in Kind]))
    category = fields.String(metadata={"description": "A category code."})
    region = fields.String(metadata={"description": "A region code (a district includes its streets)."})
    mine = fields.Boolean(load_default=False)
    unassigned = fields.Boolean(load_default=False)
    q = fields.String(
        validate=validate.Length(max=200), metadata={"description": "Number, licence, name or words."}
    )
    sort = fields.String(
        validate=validate.OneOf(["newest", "oldest", "due"]),
        metadata={
            "description": "By received date, or `due`: the soonest due date first. Default: `due` "
            "under a deadline filter (`due`), otherwise `newest`."
        },
    )
    due = fields.String(validate=validate.OneOf(["overdue", "within"]))
    due_days = fields.Integer(load_default=3, validate=validate.Range(min=1, max=60))
    cursor = fields.String(
        validate=validate.Length(max=80), metadata={"description": "`next` of the previous page."}
    )


class ReportSummary(Schema):
    number = fields.String(required=True)
    kind = fields.String(required=True)
    state = fields.String(required=True)
    department = fields.String(required=True)
    category = fields.String(required=True)
    region = fields.String(required=True)
    business_name = fields.String(required=True)
    assignee = fields.String(allow_none=True)
    received_at = LocalDateTime(required=True)
    updated_at = LocalDateTime(required=True)


class QueuePageOut(Schema):
    items = fields.List(fields.Nested(ReportSummary), required=True)
    next = fields.String(
        allow_none=True, required=True, metadata={"description": "Cursor of the next page, or null."}
    )


class MoveOut(Schema):
    action = fields.String(required=True, metadata={"description": "The target state."})
    mode = fields.String(
        required=True,
        validate=validate.OneOf(["move", "propose"]),
        metadata={"description": "propose: a lead decides."},
    )
    details = fields.List(
        fields.String(), required=True, metadata={"description": "Fields the move requires."}
    )


class DecisionOut(Schema):
    decline_ground = fields.String(allow_none=True)
    decline_reason = fields.String(allow_none=True)
    return_reason = fields.String(allow_none=True)
    mediation_terms = fields.String(allow_none=True)
    mediation_end_ground = fields.String(allow_none=True)
    mediation_end_reason = fields.String(allow_none=True)
    case_number = fields.String(allow_none=True)
    case_opened_on = fields.Date(allow_none=True)
    not_opened_reason = fields.String(allow_none=True)
    decision_number = fields.String(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    confiscation_yuan = Money(allow_none=True)
    fine_yuan = Money(allow_none=True)
    referred_for_prosecution = fields.Boolean(allow_none=True)
    no_penalty_reason = fields.String(allow_none=True)


class StaffReport(ReportSummary):
    description = fields.String(required=True)
    business_address = fields.String(allow_none=True)
    business_licence = fields.String(allow_none=True)
    occurred_on = fields.Date(allow_none=True)
    anonymous = fields.Boolean(required=True)
    wants_reward = fields.Boolean(required=True)
    demand = fields.String(allow_none=True)
    demand_amount = Money(allow_none=True)
    platform = fields.String(allow_none=True)
    order_number = fields.String(allow_none=True)
    linked_number = fields.String(allow_none=True)
    decision = fields.Nested(DecisionOut, required=True)
    evidence = fields.List(fields.Nested(EvidenceCreated), required=True)
    messages = fields.List(fields.Nested(MessageOut), required=True)
    legal_dates = fields.List(fields.Nested(LegalDateOut), required=True)
    moves = fields.List(
        fields.Nested(MoveOut), required=True, metadata={"description": "What this token's user may do now."}
    )
    pending_proposal = fields.String(
        allow_none=True, metadata={"description": "The target state a proposal waits for."}
    )


class TransitionIn(Strict):
    action = fields.String(
        required=True,
        validate=validate.OneOf([s.value for s in State]),
        metadata={"description": "The target state, one of the report's track (see `moves`)."},
    )
    reason = _text(4000, allow_none=True, multiline=True)
    department = fields.String(
        allow_none=True, metadata={"description": "Re-routing a returned report: the department's code."}
    )
    ground = fields.String(
        allow_none=True,
        validate=validate.OneOf([g.value for g in DeclineGround] + [g.value for g in MediationEndGround]),
    )
    terms = _text(4000, allow_none=True, multiline=True)
    case_number = _text(60, allow_none=True)
    opened_on = fields.Date(allow_none=True)
    decision_number = _text(60, allow_none=True)
    decided_on = fields.Date(allow_none=True)
    confiscation_yuan = Money(allow_none=True)
    fine_yuan = Money(allow_none=True)
    referred_for_prosecution = fields.Boolean(allow_none=True)


class TransitionDone(Schema):
    number = fields.String(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(["moved", "proposed"]))
    state = fields.String(required=True)
    department = fields.String(required=True)
    proposal = fields.Integer(allow_none=True, metadata={"description": "The proposal's id (202)."})


class Problem(Schema):
    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Validation failures (422): each field's messages."},
    )
