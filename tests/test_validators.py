from portal.validators import (
    MAX_ROW_ID,
    display_name,
    id_check_char,
    is_valid_licence,
    is_valid_phone,
    is_valid_resident_id,
    is_valid_uscc,
    licence_kind,
    normalise_code,
    normalise_phone,
    row_id,
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
    assert licence_kind("330106000123456") == "registration"


def test_food_licences_on_the_shop_wall_are_accepted_and_told_apart():
    assert licence_kind("JY13301060012345") == "food_business"
    assert licence_kind("ｊｙ１３３０１０６００１２３４５") == "food_business"  # full width, lower case
    assert licence_kind("SC10633010600123") == "food_production"
    assert licence_kind("JY1330106001234") == "other"  # 13 digits: kept, not checked


def test_credit_codes_are_checked_and_a_wrong_check_character_is_refused():
    assert licence_kind("91330100799655058B") == "uscc"
    assert licence_kind("91330100799655058C") is None
    assert not is_valid_licence("91330100799655058C")
    assert licence_kind("9133010079965505IB") is None  # I is not in the code alphabet


def test_any_other_licence_number_is_kept_as_other():
    for number in ("33010600012345", "浙食药监械经营备20150012号", "123", "沪餐证字2019-0001"):
        assert licence_kind(number) == "other" and is_valid_licence(number), number


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


def test_full_width_input_from_a_chinese_ime_is_read_as_ascii():
    assert is_valid_uscc("９１３３０１００７９９６５５０５８Ｂ")
    assert is_valid_licence("３３０１０６０００１２３４５６")
    assert is_valid_resident_id("１１０１０５１９４９１２３１００２Ｘ")
    assert is_valid_phone("１３８００１３８０００") and is_valid_phone("０５７１－８７６５４３２１")
    assert normalise_code(" ９１３３ ０１００７９９６５５０５８ｂ ") == "91330100799655058B"
    assert normalise_phone("０５７１－８７６５　４３２１") == "0571-87654321"


def test_row_ids_outside_the_database_range_are_no_ids():
    assert row_id("42") == 42 and row_id(" 7 ") == 7
    for value in ("", None, "0", "-1", "1e3", "x", str(MAX_ROW_ID + 1), str(2**63), "9" * 400):
        assert row_id(value) is None, value


def test_display_names_cannot_disguise_or_break_lines():
    assert display_name("现场\u202egnp.exe") == "现场gnp.exe"
    assert display_name("C:\\Users\\王\\发票\x00.pdf") == "发票.pdf"
    assert display_name("a\r\nb.png") == "a b.png"
    assert display_name("\u2066\x07") == "file"
