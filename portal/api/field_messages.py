"""A 422's field messages in the caller's language.

marshmallow words its own checks in English ("Missing data for required field.", "Must be one
of: complaint, tip.") and portal/api/schemas.py raises its checks with the same English texts as
the web forms. A problem document's `detail` followed Accept-Language while its `errors` stayed
English; each message is now translated here by its text: a fixed one through the catalogue, one
with values (choices, lengths, bounds) by its pattern. An unknown text is passed on as it is
(tests/test_api_public.py fails on any that a bad report makes).
"""

import re

from flask_babel import gettext as _


def _fixed():
    """marshmallow's fixed texts (fields and Schema) and the schemas' own, by their English."""
    return {
        "Missing data for required field.": _("Missing data for required field."),
        "Field may not be null.": _("Field may not be null."),
        "Invalid value.": _("Invalid value."),
        "Not a valid string.": _("Not a valid string."),
        "Not a valid utf-8 string.": _("Not a valid utf-8 string."),
        "Not a valid integer.": _("Not a valid integer."),
        "Not a valid number.": _("Not a valid number."),
        "Number too large.": _("Number too large."),
        "Not a valid boolean.": _("Not a valid boolean."),
        "Not a valid date.": _("Not a valid date."),
        "Not a valid mapping type.": _("Not a valid mapping type."),
        "Not a valid email address.": _("Not a valid email address."),
        "Not a valid list.": _("Not a valid list."),
        "Invalid type.": _("Invalid type."),
        "Invalid input type.": _("Invalid input type."),
        "Unknown field.": _("Unknown field."),
        # portal/api/schemas.py
        "Remove the invisible control characters from this text.": _(
            "Remove the invisible control characters from this text."
        ),
        "Enter an 11-digit mobile number or a landline with area code.": _(
            "Enter an 11-digit mobile number or a landline with area code."
        ),
        "This ID card number is not valid.": _("This ID card number is not valid."),
        "The date cannot be in the future.": _("The date cannot be in the future."),
        "A demand is only for complaints.": _("A demand is only for complaints."),
    }


_PATTERNS = (
    (r"Must be one of: (?P<choices>.*)\.", lambda m: _("Must be one of: %(choices)s.", **m)),
    (
        r"Length must be between (?P<min>\d+) and (?P<max>\d+)\.",
        lambda m: _("Length must be between %(min)s and %(max)s.", **m),
    ),
    (r"Length must be (?P<n>\d+)\.", lambda m: _("Length must be %(n)s.", **m)),
    (r"Longer than maximum length (?P<n>\d+)\.", lambda m: _("Longer than maximum length %(n)s.", **m)),
    (r"Shorter than minimum length (?P<n>\d+)\.", lambda m: _("Shorter than minimum length %(n)s.", **m)),
    (  # validate.Range with both bounds inclusive (the only Range the schemas use)
        r"Must be greater than or equal to (?P<min>\S+) and less than or equal to (?P<max>\S+)\.",
        lambda m: _("Must be between %(min)s and %(max)s.", **m),
    ),
)


def translated(message):
    """The message in the request's language (unchanged when it is not one of the above)."""
    text = str(message)
    fixed = _fixed().get(text)
    if fixed is not None:
        return fixed
    for pattern, word in _PATTERNS:
        found = re.fullmatch(pattern, text)
        if found:
            return word(found.groupdict())
    return text
