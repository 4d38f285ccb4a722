"""Forms of the reward page: proposal (with the proposer's explicit answers), decision, sign-off."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.validators import strip

ANSWER_CHOICES = [
    SelectChoice("", _l("— not answered —")),
    SelectChoice("no", _l("No")),
    SelectChoice("yes", _l("Yes")),
]
QUESTIONS = (
    ("natural_person", _l("Is the reporter a natural person?")),
    ("regulator_staff", _l("Is the reporter staff of the regulator?")),
    ("legal_duty", _l("Did the reporter have a legal duty to supervise or report this?")),
    ("infringed_party", _l("Is the reporter the infringed party, its agent or an interested party?")),
    ("violator", _l("Is the reporter the violator itself?")),
    ("insider", _l("Is the reporter an insider of the violator (内部知情人)?")),
    ("paid_by_business", _l("Was the reporter paid by another business to report?")),
)


class ProposeRewardForm(FlaskForm):
    level = SelectField(
        _l("Level"),
        choices=[SelectChoice("1", _l("Level 1: detailed facts, direct evidence, especially serious")),
                 SelectChoice("2", _l("Level 2: facts and direct evidence, fully matching")),
                 SelectChoice("3", _l("Level 3: basic facts and related evidence"))],
    )  # fmt: skip
    justification = TextAreaField(_l("Justification"), filters=[strip], validators=[Length(max=4000)])
    insider_multiplier = StringField(
        _l("Insider raise (multiplier, 1 = none)"), default="1", filters=[strip], validators=[Length(max=6)]
    )
    amount = StringField(
        _l("Amount, if different from the rule (yuan)"),
        filters=[strip],
        validators=[Optional(), Length(max=20)],
    )
    amount_reason = TextAreaField(
        _l("Reason for a different amount"), filters=[strip], validators=[Length(max=2000)]
    )


for _name, _label in QUESTIONS:
    setattr(ProposeRewardForm, _name, SelectField(_label, choices=ANSWER_CHOICES, default=""))


def answers_of(form):
    return {name: {"yes": True, "no": False}.get(form[name].data) for name, _ in QUESTIONS}


class DecideRewardForm(FlaskForm):
    decision = SelectField(
        _l("Decision"), choices=[SelectChoice("approve", _l("Approve")), SelectChoice("reject", _l("Reject"))]
    )
    reason = TextAreaField(_l("Reason (required to reject)"), filters=[strip], validators=[Length(max=2000)])


class SignOffForm(FlaskForm):
    kind = SelectField(
        _l("Sign-off"),
        choices=[SelectChoice("large_award", _l("Sign off an award of 500,000 yuan or more")),
                 SelectChoice("insider_raise", _l("Consent to the insider raise"))],
    )  # fmt: skip
    note = TextAreaField(_l("Note"), filters=[strip], validators=[Length(max=2000)])


class ConfirmForm(FlaskForm):
    pass


class PayoutForm(FlaskForm):
    share_id = IntegerField(_l("Share"), validators=[DataRequired()])
    amount = StringField(_l("Amount (yuan)"), filters=[strip], validators=[DataRequired(), Length(max=20)])
    method = SelectField(
        _l("Method"),
        choices=[
            SelectChoice("bank_transfer", _l("Bank transfer")),
            SelectChoice("cash", _l("Cash at the office")),
        ],
    )
    reference = StringField(_l("Reference"), filters=[strip], validators=[DataRequired(), Length(max=100)])
    paid_on = DateField(_l("Paid on"), validators=[DataRequired()])


class ReversePayoutForm(FlaskForm):
    payout_id = IntegerField(_l("Payout"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), filters=[strip], validators=[DataRequired(), Length(max=2000)])


class InPersonClaimForm(FlaskForm):
    """Finance records a claim at the office: the receipt holder's share, or a joint reporter's
    after checking an identity document (which one is noted; a joint reporter has no receipt)."""

    share_id = IntegerField(_l("Share"), validators=[DataRequired()])
    identity_note = StringField(
        _l("Identity document checked (required for a joint reporter)"),
        filters=[strip],
        validators=[Length(max=200)],
    )


class ReasonForm(FlaskForm):
    """Withdrawing a proposal, or asking for an award's correction: a reason is required."""

    reason = TextAreaField(_l("Reason"), filters=[strip], validators=[DataRequired(), Length(max=2000)])


class ConfirmCorrectionForm(FlaskForm):
    """Names the award the lead saw, so a page left open never confirms another one."""

    award_id = IntegerField(_l("Award"), validators=[DataRequired()])
