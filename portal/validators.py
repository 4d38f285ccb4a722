"""Input rules in one place: format checks for Chinese identifiers (USCC GB 32100-2015, resident
ID GB 11643, phone), and the filters and validators every form uses on what people type."""

import enum
import re
import unicodedata
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
OLD_LICENCE = re.compile(r"^\d{15}$")  # registration numbers before the USCC reform
FOOD_BUSINESS_LICENCE = re.compile(r"^JY\d{14}$")  # 食品经营许可证, on every restaurant wall
FOOD_PRODUCTION_LICENCE = re.compile(r"^SC\d{14}$")  # 食品生产许可证, on every food package
# 18 letters and digits: meant as a credit code, so a wrong check character is a typo to fix.
USCC_SHAPED = re.compile(r"^[0-9A-Z]{18}$")

# Row ids are 32-bit integers on PostgreSQL; anything outside never names a row, and a bigger
# number would make the database raise instead of answering "no such row".
MAX_ROW_ID = 2**31 - 1
# Line breaks and tabs belong in multi-line text; every other control character (NUL above all:
# PostgreSQL refuses it in text) is a sign of a broken or hostile client.
MULTILINE_ALLOWED = frozenset("\n\r\t")
# Bidirectional overrides and isolates make "gpj.exe" display as "exe.jpg"; never show them.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _nfkc(value):
    """Full-width letters, digits and dashes from a Chinese input method become plain ASCII."""
    return unicodedata.normalize("NFKC", value)


def uscc_check_char(first17):
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def is_valid_uscc(code):
    code = normalise_code(code)
    if len(code) != 18 or any(c not in USCC_CHARS for c in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


class LicenceKind(enum.StrEnum):
    """Which number a citizen copied from the business (reports.business_licence_kind)."""

    USCC = "uscc"
    REGISTRATION = "registration"
    FOOD_BUSINESS = "food_business"
    FOOD_PRODUCTION = "food_production"
    OTHER = "other"  # kept as typed, unchecked: better a number staff can look up than none


def licence_kind(code):
    """The kind of a business identifier, or None for an 18-character code that fails its check."""
    code = normalise_code(code)
    if USCC_SHAPED.match(code):
        return LicenceKind.USCC if is_valid_uscc(code) else None
    patterns = (
        (OLD_LICENCE, LicenceKind.REGISTRATION),
        (FOOD_BUSINESS_LICENCE, LicenceKind.FOOD_BUSINESS),
        (FOOD_PRODUCTION_LICENCE, LicenceKind.FOOD_PRODUCTION),
    )
    return next((kind for pattern, kind in patterns if pattern.match(code)), LicenceKind.OTHER)


def is_valid_licence(code):
    """Any identifier but a credit code with a wrong check character (see licence_kind)."""
    return licence_kind(code) is not None


def is_amount(value, maximum):
    """A sum of money in yuan: finite, more than 0, at most `maximum`, whole fen."""
    return value.is_finite() and 0 < value <= maximum and value == value.quantize(Decimal("0.01"))


def id_check_char(first17):
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def is_valid_resident_id(number):
    number = normalise_code(number)
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    return id_check_char(number[:17]) == number[17]


def is_valid_phone(number):
    return bool(PHONE.match(normalise_phone(number)))


# ---- filters: what a form stores is what it measured and checked ----------------------------


def strip(value):
    """Measure and store text without the blanks around it ("   x" is one character)."""
    return value.strip() if isinstance(value, str) else value


def normalise_code(value):
    """Licence, credit code or ID number as printed: NFKC, no blanks, upper case."""
    if not isinstance(value, str):
        return value
    return "".join(_nfkc(value).split()).upper()


def normalise_phone(value):
    """A phone number as dialled: NFKC (full-width digits and dashes), no blanks."""
    if not isinstance(value, str):
        return value
    return "".join(_nfkc(value).split())


def row_id(value):
    """Select values: a row id in range, else None (the placeholder, or garbage) so that
    DataRequired shows the field's own message instead of the database raising."""
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ROW_ID else None


# ---- validators ------------------------------------------------------------------------------


def _control_characters(value, allowed=frozenset()):
    return [ch for ch in value if ch not in allowed and unicodedata.category(ch) in ("Cc", "Cs")]


class NoControlCharacters:
    """Refuse invisible control characters (NUL, escape codes); multi-line text keeps \\n \\r \\t."""

    def __init__(self, multiline=False):
        self.allowed = MULTILINE_ALLOWED if multiline else frozenset()

    def __call__(self, form, field):
        if isinstance(field.data, str) and _control_characters(field.data, self.allowed):
            raise ValidationError(
                _l("Remove the invisible control characters from this text (copied from another program?).")
            )


single_line = NoControlCharacters()
multi_line = NoControlCharacters(multiline=True)


def display_name(name, fallback="file"):
    """A file name safe to show: no path, no control or bidi characters, at most 200 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = "".join(
        " " if ch in "\r\n\t" else ch
        for ch in name
        if ch not in BIDI_CONTROLS and (ch in "\r\n\t" or unicodedata.category(ch) not in ("Cc", "Cs"))
    )
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return " ".join(base.split())[:200] or fallback
