"""Forms of the administration screens: reference data, routing rules, staff accounts."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.validators import single_line, strip

ANY = 0  # the select value for "any category / any region" (ids start at 1)


def _name(label):
    return StringField(
        label, filters=[strip], validators=[DataRequired(_l("Enter the name.")), single_line, Length(max=120)]
    )


class DepartmentForm(FlaskForm):
    name_zh = _name(_l("Name (Chinese)"))
    name_en = _name(_l("Name (English)"))
    active = BooleanField(_l("Active"))


class CategoryForm(FlaskForm):
    name_zh = _name(_l("Name (Chinese)"))
    name_en = _name(_l("Name (English)"))
    group = SelectField(
        _l("Group"),
        choices=[
            SelectChoice("food", _l("Food")),
            SelectChoice("drug", _l("Drugs")),
            SelectChoice("quality", _l("Quality")),
        ],
    )
    active = BooleanField(_l("Shown on the report form"))


class RegionForm(FlaskForm):
    name_zh = _name(_l("Name (Chinese)"))
    name_en = _name(_l("Name (English)"))


class RuleForm(FlaskForm):
    category = SelectField(_l("Category"), coerce=int, validators=[InputRequired()])
    region = SelectField(_l("Region"), coerce=int, validators=[InputRequired()])
    department = SelectField(
        _l("Department"), coerce=int, validators=[DataRequired(_l("Choose a department."))]
    )
    priority = IntegerField(_l("Priority"), default=0, validators=[Optional(), NumberRange(min=0, max=1000)])


class NewRuleForm(RuleForm):
    code = StringField(
        _l("Code"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter a code: lower-case letters, digits, dots and hyphens.")),
            Length(max=60),
        ],
    )


class PreviewForm(FlaskForm):
    """Read-only question asked by GET: no CSRF token needed."""

    class Meta:
        csrf = False

    category = SelectField(_l("Category"), coerce=int, validators=[DataRequired(_l("Choose a category."))])
    region = SelectField(_l("Region"), coerce=int, validators=[InputRequired()])


class NewUserForm(FlaskForm):
    username = StringField(
        _l("Username"), filters=[strip], validators=[DataRequired(_l("Enter a username.")), Length(max=80)]
    )
    display_name = StringField(
        _l("Display name"), filters=[strip], validators=[Optional(), single_line, Length(max=120)]
    )
    role = SelectField(_l("Role"))
    department = SelectField(_l("Department"), coerce=int, validators=[InputRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter a password."))])


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter a password."))])


class EmailForm(FlaskForm):
    """The address the leads' digests go to; empty removes it. set_email() checks it (length
    included), so the only way this form fails is a missing CSRF token."""

    email = StringField(_l("Email"), filters=[strip])


class ConfirmForm(FlaskForm):
    """A button: only the CSRF token."""
