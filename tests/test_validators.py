from portal.validators import (
    id_check_char,
    is_valid_licence,
    is_valid_phone,
    is_valid_resident_id,
    is_valid_uscc,
    uscc_check_char,
)


def test_uscc_checksum():
    body = "91330106MA2XXXXX1"
    good = body + uscc_check_char(body)
    assert is_valid_uscc(good)
    wrong = body + ("0" if good[-1] != "0" else "1")
    assert not is_valid_uscc(wrong)
    assert not is_valid_uscc(good[:-1])
    assert not is_valid_uscc(good.replace("M", "I"))  # I is not in the code alphabet


def test_known_uscc_is_valid():
    # A published code (Alibaba (China) Co., Ltd.).
    assert is_valid_uscc("91330100799655058B")


def test_old_registration_numbers_are_accepted_as_licences():
    assert is_valid_licence("330106000123456")
    assert not is_valid_licence("33010600012345")


def test_resident_id_checksum():
    body = "11010519491231002"
    assert is_valid_resident_id(body + id_check_char(body))
    assert not is_valid_resident_id(body + ("1" if id_check_char(body) != "1" else "2"))
    assert is_valid_resident_id((body + id_check_char(body)).lower())


def test_phone_numbers():
    assert is_valid_phone("13800138000")
    assert is_valid_phone("0571-87654321")
    assert not is_valid_phone("12345")
    assert not is_valid_phone("23800138000")
