"""Input rules in one place: format checks for Chinese identifiers (USCC GB 32100-2015, resident
ID GB 11643, phone), and the filters and validators every form uses on what people type."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
OLD_LICENCE = re.compile(r"^\d{15}$")  # registration numbers before the USCC reform

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


def is_valid_licence(code):
    """A unified social credit code, or an old 15-digit registration number."""
    code = normalise_code(code)
    return is_valid_uscc(code) or bool(OLD_LICENCE.match(code))


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
