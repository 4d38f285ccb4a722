"""Format checks for Chinese identifiers: USCC (GB 32100-2015), resident ID (GB 11643), phone."""

import re

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
OLD_LICENCE = re.compile(r"^\d{15}$")  # registration numbers before the USCC reform


def uscc_check_char(first17):
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def is_valid_uscc(code):
    code = code.upper()
    if len(code) != 18 or any(c not in USCC_CHARS for c in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def is_valid_licence(code):
    """A unified social credit code, or an old 15-digit registration number."""
    code = code.strip().upper()
    return is_valid_uscc(code) or bool(OLD_LICENCE.match(code))


def id_check_char(first17):
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def is_valid_resident_id(number):
    number = number.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    return id_check_char(number[:17]) == number[17]


def is_valid_phone(number):
    return bool(PHONE.match(number.strip().replace(" ", "")))
