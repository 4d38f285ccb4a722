from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from portal.validators import single_line, strip


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"),
        filters=[strip],
        validators=[DataRequired(_l("Enter your username.")), single_line, Length(max=80)],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=200)]
    )


class SecondFactorForm(FlaskForm):
    code = StringField(
        _l("Code"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the code from your authenticator app.")),
            single_line,
            Length(max=40),
        ],
    )
