"""The form of the reward-policy page (administrators): one new version, every term given."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from portal.validators import single_line, strip

_DECIMAL = [DataRequired(_l("Enter a number.")), Length(max=20)]


class RewardPolicyForm(FlaskForm):
    version = StringField(
        _l("Version code"), filters=[strip], validators=[DataRequired(), single_line, Length(max=40)]
    )
    effective_from = DateField(
        _l("In force from"), validators=[DataRequired(_l("Choose the first day it applies."))]
    )
    level1_rate = StringField(_l("Level 1 rate (fraction, e.g. 0.05)"), filters=[strip], validators=_DECIMAL)
    level1_floor = StringField(_l("Level 1 floor (yuan)"), filters=[strip], validators=_DECIMAL)
    level2_rate = StringField(_l("Level 2 rate"), filters=[strip], validators=_DECIMAL)
    level2_floor = StringField(_l("Level 2 floor (yuan)"), filters=[strip], validators=_DECIMAL)
    level3_rate = StringField(_l("Level 3 rate"), filters=[strip], validators=_DECIMAL)
    level3_floor = StringField(_l("Level 3 floor (yuan)"), filters=[strip], validators=_DECIMAL)
    case_cap = StringField(_l("Cap per case (yuan)"), filters=[strip], validators=_DECIMAL)
    signoff_threshold = StringField(_l("Finance sign-off from (yuan)"), filters=[strip], validators=_DECIMAL)
    insider_max_multiplier = StringField(
        _l("Insider raise, at most (multiplier)"), filters=[strip], validators=_DECIMAL
    )
    major_threshold = StringField(
        _l("Major violation from (confiscations and fines, yuan)"), filters=[strip], validators=_DECIMAL
    )
    claim_working_days = IntegerField(
        _l("Claim window (working days)"), validators=[DataRequired(), NumberRange(min=1, max=400)]
    )
    source = TextAreaField(
        _l("Legal source"),
        filters=[strip],
        validators=[DataRequired(_l("Name the rule this version follows.")), Length(max=4000)],
    )

    TERMS = (
        "level1_rate", "level1_floor", "level2_rate", "level2_floor", "level3_rate", "level3_floor",
        "case_cap", "signoff_threshold", "insider_max_multiplier", "major_threshold", "claim_working_days",
    )  # fmt: skip
