"""Forms of the calendar and deadline-policy pages (administrators)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.validators import single_line, strip


class OverrideForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired(_l("Choose a date."))])
    working = BooleanField(_l("Working day"))
    note = StringField(_l("Note"), filters=[strip], validators=[Optional(), single_line, Length(max=200)])


class RemoveOverrideForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired()])


class PolicyVersionForm(FlaskForm):
    code = SelectField(_l("Deadline"), validators=[DataRequired()])
    effective_from = DateField(
        _l("In force from"), validators=[DataRequired(_l("Choose the first day it applies."))]
    )
    working_days = IntegerField(_l("Working days"), validators=[Optional(), NumberRange(min=0, max=400)])
    calendar_days = IntegerField(_l("Calendar days"), validators=[Optional(), NumberRange(min=0, max=1000)])
    extension_days = IntegerField(
        _l("Extension days"), default=0, validators=[Optional(), NumberRange(min=0, max=400)]
    )
    source = TextAreaField(
        _l("Legal source"),
        filters=[strip],
        validators=[DataRequired(_l("Name the rule this version follows.")), Length(max=2000)],
    )
