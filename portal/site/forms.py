"""Citizen forms. Labels and messages are lazy-translated; rules live in portal.validators."""

from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from portal.clock import local_today
from portal.directory import rows as reference_rows
from portal.directory.models import Category, Region
from portal.reports.intake_rules import DEMAND_TEXT, MAX_AMOUNT, MONEY_DEMANDS, Demand
from portal.validators import (
    is_amount,
    is_valid_licence,
    is_valid_phone,
    is_valid_resident_id,
    multi_line,
    normalise_code,
    normalise_phone,
    row_id,
    single_line,
    strip,
)

DISTRICT, STREET = 2, 3  # Region.level of the two steps of "where"
DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 5000


def _get(model, pk):
    """db.session.get, with the row kept for the rest of the request: the session's identity
    map holds rows weakly, so without a reference the view's own get() of the same category or
    region would query it again."""
    row = reference_rows.get(model, pk)  # the process's copy, no query (portal/directory/rows.py)
    if row is not None and has_app_context():
        g.setdefault("validated_rows", []).append(row)
    return row


def _exists(model, pk, active_only=False):
    row = _get(model, pk)
    return row is not None and (not active_only or row.active)


def _region(pk, level):
    """The region with this id if it is at this level (a district, a street), else None."""
    row = _get(Region, pk) if pk is not None else None
    return row if row is not None and row.level == level else None


class EvidenceFields:
    """Staged uploads survive re-rendering: the signed list rides along in a hidden field."""

    staged_evidence = HiddenField()
    evidence = MultipleFileField(_l("Evidence files"))


class AmountField(DecimalField):
    """Yuan as people type them: blank is no amount; full-width digits and 1,200 are read."""

    def process_formdata(self, valuelist):
        typed = normalise_phone(valuelist[0]).replace(",", "") if valuelist else ""
        if not typed:
            self.data = None
            return
        super().process_formdata([typed])


class IntakeForm(EvidenceFields, FlaskForm):
    submission_token = HiddenField(validators=[single_line])
    kind = RadioField(
        _l("What are you reporting?"),
        choices=[
            SelectChoice("complaint", _l("Complaint (投诉)")),
            SelectChoice("tip", _l("Tip-off (举报)")),
        ],
        validators=[DataRequired(_l("Choose complaint or tip-off."))],
    )
    category = SelectField(
        _l("Category"),
        coerce=row_id,
        validate_choice=False,  # checked against the database in validate_category
        validators=[DataRequired(_l("Choose a category."))],
    )
    # Where: a district, then optionally one of its streets (region_id() is what the domain gets).
    district = SelectField(
        _l("District or county"),
        coerce=row_id,
        validate_choice=False,
        validators=[DataRequired(_l("Choose the district or county."))],
    )
    street = SelectField(
        _l("Street or town (optional)"), coerce=row_id, validate_choice=False, validators=[Optional()]
    )
    business_name = StringField(
        _l("Name of the business"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the business name, or what you know of it (e.g. its sign).")),
            single_line,
            Length(max=200),
        ],
    )
    business_address = StringField(
        # No Optional(): a complaint requires it (validate_business_address).
        _l("Address of the business"),
        filters=[strip],
        validators=[single_line, Length(max=300)],
    )
    business_licence = StringField(
        _l("Licence number or unified social credit code (if known)"),
        filters=[normalise_code],
        validators=[Optional(), single_line, Length(max=40)],
    )
    description = TextAreaField(
        _l("What happened?"),
        filters=[strip],
        validators=[
            DataRequired(_l("Describe what happened.")),
            multi_line,
            Length(
                min=DESCRIPTION_MIN,
                max=DESCRIPTION_MAX,
                message=_l("Write between %(min)d and %(max)d characters."),
            ),
        ],
    )
    occurred_on = DateField(_l("When did it happen?"), validators=[Optional()])
    identity = RadioField(
        _l("Your identity"),
        choices=[
            SelectChoice("anonymous", _l("Anonymous: we will not ask who you are")),
            SelectChoice("real_name", _l("Real name: lets the department contact you and report back")),
        ],
        default="anonymous",
        validators=[DataRequired()],
    )
    # No Optional() here: it would stop the chain before the real-name checks below.
    reporter_name = StringField(_l("Your name"), filters=[strip], validators=[single_line, Length(max=60)])
    reporter_phone = StringField(
        _l("Your phone number"), filters=[normalise_phone], validators=[single_line, Length(max=20)]
    )
    reporter_address = StringField(
        _l("Your postal address"),
        filters=[strip],
        validators=[single_line, Length(max=300)],
    )
    reporter_id_number = StringField(
        _l("Your ID card number (optional)"),
        filters=[normalise_code],
        validators=[single_line, Length(max=18)],
    )
    contact_email = StringField(
        _l("Email for notifications (optional)"),
        filters=[strip],
        validators=[
            Optional(),
            single_line,
            Email(_l("Enter a valid email address, or leave it empty.")),
            Length(max=200),
        ],
    )
    wants_reward = BooleanField(_l("I would like a reward if the tip-off leads to a penalty"))
    # Complaints only (Art. 9): what the complainant asks for, and the money involved.
    demand = RadioField(
        _l("What do you ask the business for?"),
        choices=[SelectChoice(d.value, DEMAND_TEXT[d]) for d in Demand],
        validate_choice=False,  # checked in validate_demand, only for complaints
    )
    demand_amount = AmountField(_l("Amount involved (yuan)"), places=2, render_kw={"inputmode": "decimal"})
    # Online orders (categories marked online).
    platform = StringField(
        _l("Online platform or shop"), filters=[strip], validators=[single_line, Length(max=100)]
    )
    order_number = StringField(
        _l("Order number"), filters=[normalise_phone], validators=[single_line, Length(max=64)]
    )
    also_tip = BooleanField(
        _l("Also report a violation: the department also investigates it as a separate tip-off")
    )
    # Second submit button: an anonymous complaint is not possible, a tip-off is.
    file_as_tip = SubmitField(_l("File it as a tip-off instead"))

    def validate_category(self, field):
        if field.data is not None and not _exists(Category, field.data, active_only=True):
            raise ValidationError(_l("Choose a category from the list."))

    def validate(self, extra_validators=None):
        self._district_from_street()
        return super().validate(extra_validators)

    def _district_from_street(self):
        """A street chosen without its district (no JavaScript, district skipped) names it."""
        street = _region(self.street.data, STREET)
        if self.district.data is None and street is not None:
            self.district.data = street.parent_id

    def validate_district(self, field):
        if field.data is not None and _region(field.data, DISTRICT) is None:
            raise ValidationError(_l("Choose a district or county from the list."))

    def validate_street(self, field):
        street = _region(field.data, STREET)  # Optional() let only a non-empty value through
        if street is None:
            raise ValidationError(_l("Choose a street or town from the list."))
        if self.district.data is not None and street.parent_id != self.district.data:
            raise ValidationError(
                _l(
                    "This street or town is not in the district chosen above. "
                    "Choose one of its streets, or none."
                )
            )

    def region_id(self):
        """The one region the report is filed under: the street if chosen, else the district."""
        return self.street.data or self.district.data

    def validate_business_licence(self, field):
        if field.data and not is_valid_licence(field.data):
            raise ValidationError(
                _l(
                    "This 18-character credit code has a wrong check character. "
                    "Check it, or leave the field empty."
                )
            )

    def validate_occurred_on(self, field):
        # The citizen means a Beijing date: between 00:00 and 08:00 there, UTC is still yesterday.
        if field.data and field.data > local_today():
            raise ValidationError(_l("The date cannot be in the future."))

    @property
    def is_complaint(self):
        return self.kind.data == "complaint"

    def validate_identity(self, field):
        if self.is_complaint and field.data != "real_name":
            raise ValidationError(
                _l(
                    "A complaint cannot be anonymous: the department must be able to reach you to "
                    "mediate. Give your name, phone and address, or file it as a tip-off instead."
                )
            )

    def validate_business_address(self, field):
        if self.is_complaint and not field.data:
            raise ValidationError(_l("A complaint needs the address of the business."))

    def validate_reporter_name(self, field):
        if self.identity.data == "real_name" and not field.data:
            raise ValidationError(_l("Enter your name, or choose to report anonymously."))

    def validate_reporter_address(self, field):
        if self.is_complaint and self.identity.data == "real_name" and not field.data:
            raise ValidationError(_l("A complaint needs your postal address."))

    def validate_demand(self, field):
        if not self.is_complaint:
            return
        if field.data not in {d.value for d in Demand}:
            raise ValidationError(
                _l("Choose what you ask for: refund, replacement, repair, compensation or other.")
            )

    def validate_demand_amount(self, field):
        if not self.is_complaint:
            return
        if field.process_errors:
            return  # not a number: its own message says so
        if field.data is None and self.demand.data in MONEY_DEMANDS:
            raise ValidationError(_l("Enter the amount involved in yuan for a refund or compensation."))
        if field.data is not None and not is_amount(field.data, MAX_AMOUNT):
            raise ValidationError(_l("Enter the amount in yuan, more than 0, with at most 2 decimals."))

    def _online(self):
        category = _get(Category, self.category.data) if self.category.data else None
        return category is not None and category.online

    def validate_platform(self, field):
        if self.is_complaint and not field.data and self._online():
            raise ValidationError(_l("For an online order, enter the platform."))

    def validate_order_number(self, field):
        if self.is_complaint and not field.data and self._online():
            raise ValidationError(_l("For an online order, enter the order number."))

    def validate_also_tip(self, field):
        if field.data and not self.is_complaint:
            raise ValidationError(
                _l("Only a complaint can also report a violation. Untick the box or choose complaint.")
            )

    def validate_reporter_phone(self, field):
        if self.identity.data != "real_name":
            return
        if not field.data:
            raise ValidationError(_l("Enter a phone number so the department can reach you."))
        if not is_valid_phone(field.data):
            raise ValidationError(_l("Enter an 11-digit mobile number or a landline with area code."))

    def validate_reporter_id_number(self, field):
        if self.identity.data == "real_name" and field.data and not is_valid_resident_id(field.data):
            raise ValidationError(_l("This ID card number is not valid. Check it, or leave it empty."))

    def validate_wants_reward(self, field):
        if field.data and self.kind.data != "tip":
            raise ValidationError(_l("Rewards are only for tip-offs. Untick the box or choose tip-off."))


class LookupForm(FlaskForm):
    number = StringField(
        _l("Report number"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the report number.")), single_line, Length(max=30)],
    )
    access_key = StringField(
        _l("Access key"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the access key.")), single_line, Length(max=40)],
    )


class SupplementForm(EvidenceFields, FlaskForm):
    body = TextAreaField(
        _l("Additional information"),
        filters=[strip],
        validators=[Optional(), multi_line, Length(max=DESCRIPTION_MAX)],
    )
