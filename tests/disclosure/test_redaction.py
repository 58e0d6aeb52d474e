"""Automatic redaction of a decision before publication (disclosure/redaction.py): a corpus of tricky inputs.

Reference numbers are public test values, not people: 11010519491231002X and 440524188001010014 are the
worked examples of GB 11643-1999; 4111111111111111, 5555555555554444 and 6205500000000000004 are card
issuers' published Luhn test numbers.
"""

import pytest

from disclosure import redaction as r

VALID_ID_X = "11010519491231002X"
VALID_ID = "440524188001010014"
BAD_CHECKSUM_ID = "110105194912310021"


def redacted(text, **kwargs):
    return r.apply(text, r.suggest(text, **kwargs).spans)


def kinds(text, **kwargs):
    return [(s.text(text), s.kind) for s in r.suggest(text, **kwargs).spans]


# --- ID numbers ---------------------------------------------------------------------------------------------


def test_the_checksum_accepts_the_standards_examples_including_an_x():
    assert r.resident_id_checksum_ok(VALID_ID_X)
    assert r.resident_id_checksum_ok(VALID_ID_X.lower())
    assert r.resident_id_checksum_ok(VALID_ID)
    assert not r.resident_id_checksum_ok(BAD_CHECKSUM_ID)
    assert not r.resident_id_checksum_ok("11010519491231002")


@pytest.mark.parametrize(
    "text",
    [
        f"当事人张三，身份证号码{VALID_ID_X}，男。",
        f"公民身份号码：{VALID_ID_X.lower()}；",
        f"（{VALID_ID}）",
        f"身份证{VALID_ID}住",
    ],
)
def test_an_id_number_with_a_valid_checksum_is_redacted_even_against_chinese_characters(text):
    out = redacted(text)
    assert VALID_ID_X not in out.upper() and VALID_ID not in out
    assert "［身份证号码］" in out


def test_an_eighteen_digit_number_with_a_wrong_checksum_is_flagged_not_redacted():
    text = f"身份证号码{BAD_CHECKSUM_ID}。"
    suggestion = r.suggest(text)
    assert not suggestion.spans
    assert [(text[f.start : f.end], f.kind) for f in suggestion.flags] == [(BAD_CHECKSUM_ID, r.ID_NUMBER)]


def test_a_longer_digit_run_is_not_cut_into_an_id_number():
    # 20 digits: neither an ID nor (within a digit run) a phone number.
    text = "批次号12345678901234567890。"
    assert not r.suggest(text).spans


def test_an_old_fifteen_digit_id_is_redacted_but_a_registration_number_is_kept():
    old_id = "110105491231002"  # region 110105, born 1949-12-31, sequence 002
    assert redacted(f"身份证号{old_id}，") == "身份证号［身份证号码］，"
    registration = "532329100012345"
    assert redacted(f"营业执照注册号{registration}。") == f"营业执照注册号{registration}。"


# --- Phone numbers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("联系电话13812345678，", "13812345678"),
        ("当事人手机号为13987654321经核实", "13987654321"),
        ("电话：138-1234-5678。", "138-1234-5678"),
        ("+8613812345678", "+8613812345678"),
        ("座机0878-1234567，", "0878-1234567"),
        ("（0878）8765432", "（0878）8765432"),
        ("其店内电话08781234567。", "08781234567"),
        ("联系方式：3123456。", "3123456"),
    ],
)
def test_phone_numbers_inside_chinese_text_are_redacted(text, number):
    out = redacted(text)
    assert number not in out
    assert "［电话号码］" in out


def test_the_bureaus_own_public_telephone_stays():
    text = "如有疑问请致电本局0878-8712345。当事人电话0878-1234567。"
    out = redacted(text, public_phones=["0878-8712345"])
    assert "0878-8712345" in out and "0878-1234567" not in out


def test_a_money_amount_or_a_date_is_not_taken_for_a_phone_number():
    text = "罚款人民币12000.00元，于2026年11月19日作出，货值13800元。"
    assert redacted(text) == text


# --- Bank accounts -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("card", ["4111111111111111", "5555 5555 5555 4444", "6205500000000000004"])
def test_card_numbers_passing_luhn_are_redacted(card):
    out = redacted(f"通过银行卡{card}转账")
    assert card not in out and "［银行账号］" in out


def test_a_sixteen_digit_number_failing_luhn_is_flagged():
    text = "货物编码4111111111111112。"
    suggestion = r.suggest(text)
    assert not suggestion.spans
    assert [f.kind for f in suggestion.flags] == [r.BANK]


def test_an_organisations_account_after_the_word_account_is_redacted_whatever_its_length():
    out = redacted("收款账号：2503 0211 0900 0123 456，开户行：农行武定支行。")
    assert "2503" not in out and "［银行账号］" in out


# --- Addresses -------------------------------------------------------------------------------------------------


def test_the_home_address_the_case_knows_is_redacted_wherever_it_appears():
    home = "武定县狮山镇某某村委会某村12号"
    text = f"当事人张某，住{home}。经查，当事人在{home}家中存放过期食品。"
    out = redacted(text, home_addresses=[home])
    assert home not in out
    assert out.count("［住址］") == 2


def test_an_address_after_a_residence_word_is_redacted_up_to_the_clause_end():
    text = "证人王某，住址：云南省楚雄州武定县高桥镇某村5组8号，系当事人邻居。"
    out = redacted(text)
    assert "高桥镇" not in out
    assert out == "证人王某，住址：［住址］，系当事人邻居。"


def test_an_organisations_registered_address_is_published():
    address = "武定县狮山镇某路1号"
    text = f"当事人：武定县某某商贸有限公司，住所：{address}。"
    assert redacted(text, public_addresses=[address]) == text


def test_other_address_shaped_text_is_flagged_for_the_reviewer_not_redacted():
    text = "当事人在武定县狮山镇正续路18号经营的超市内销售过期食品。"
    suggestion = r.suggest(text)
    assert not suggestion.spans
    flagged = [text[f.start : f.end] for f in suggestion.flags if f.kind == r.ADDRESS]
    assert flagged == ["武定县狮山镇正续路18号"]


# --- Health data ----------------------------------------------------------------------------------------------


def test_a_clause_naming_someones_diagnosis_is_redacted():
    text = "消费者食用后出现不适，经武定县人民医院诊断为急性胃肠炎，后康复。"
    out = redacted(text)
    assert "急性胃肠炎" not in out
    assert out == "消费者食用后出现不适，［健康信息］，后康复。"


def test_the_disease_control_centre_is_not_health_data():
    text = "经武定县疾病预防控制中心检验，样品菌落总数不合格。"
    suggestion = r.suggest(text)
    assert r.apply(text, suggestion.spans) == text
    assert not [f for f in suggestion.flags if f.kind == r.HEALTH]


def test_a_weaker_health_word_is_only_flagged():
    text = "当事人宣称该产品可以治疗高血压。"
    suggestion = r.suggest(text)
    assert not suggestion.spans
    assert [text[f.start : f.end] for f in suggestion.flags] == ["治疗"]


# --- Names ---------------------------------------------------------------------------------------------------


def test_names_the_case_knows_become_surname_and_mou():
    text = "询问笔录记载，证人李小明称其于当日购买。见证人欧阳春华在场。李小明签名确认。"
    out = redacted(text, person_names=["李小明", "欧阳春华"])
    assert out == "询问笔录记载，证人李某称其于当日购买。见证人欧阳某在场。李某签名确认。"


def test_the_party_name_is_masked_only_when_the_setting_says_so():
    text = "当事人张三丰经营过期食品，张三丰对违法事实无异议。"
    assert redacted(text, party_name="张三丰") == text
    assert (
        redacted(text, party_name="张三丰", mask_party=True)
        == "当事人张某经营过期食品，张某对违法事实无异议。"
    )


def test_the_party_is_never_treated_as_a_third_person():
    text = "当事人张三丰称，其雇员王五负责进货。"
    assert (
        redacted(text, person_names=["张三丰", "王五"], party_name="张三丰")
        == "当事人张三丰称，其雇员王某负责进货。"
    )


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("张某某（店长）", []),
        ("王小红（店长）、李四", ["王小红", "李四"]),
        ("赵六，系当事人之子", ["赵六"]),
        ("", []),
    ],
)
def test_names_are_read_from_free_text_fields_of_the_case(value, names):
    assert [n for n in r.names_in(value) if n in names or not names] == names


def test_a_name_inside_a_longer_known_name_is_not_cut_twice():
    text = "证人王强华与王强均在场。"
    out = redacted(text, person_names=["王强", "王强华"])
    assert out == "证人王某与王某均在场。"


# --- Putting it together: the published text equals the original apart from the logged spans ----------------


CORPUS = (
    f"当事人：张三丰，男，公民身份号码{VALID_ID_X}，住址：武定县狮山镇某某村12号，联系电话13812345678。\n"
    "经查，当事人于2026年10月在武定县狮山镇正续路18号经营的超市内销售超过保质期的食品。"
    "消费者李小明食用后就诊，经医院诊断为急性胃肠炎。证人王五（店员）证实上述事实。"
    f"当事人通过银行卡6205500000000000004收取货款，另有编码{BAD_CHECKSUM_ID}的货品。\n"
    "如对本决定不服，可致电0878-8712345咨询。"
)


def test_the_corpus_is_redacted_and_restored_exactly_from_the_log():
    suggestion = r.suggest(
        CORPUS,
        person_names=["李小明", "王五"],
        party_name="张三丰",
        mask_party=True,
        home_addresses=["武定县狮山镇某某村12号"],
        public_phones=["0878-8712345"],
    )
    published = r.apply(CORPUS, suggestion.spans)
    for secret in (
        VALID_ID_X,
        "某某村12号",
        "13812345678",
        "李小明",
        "王五",
        "6205500000000000004",
        "胃肠炎",
        "张三丰",
    ):
        assert secret not in published, secret
    for kept in ("0878-8712345", "超过保质期的食品", "2026年10月", BAD_CHECKSUM_ID):
        assert kept in published, kept
    log = [(s.start, s.end, CORPUS[s.start : s.end], s.replacement) for s in suggestion.spans]
    assert r.restore(published, log) == CORPUS
    assert {f.kind for f in suggestion.flags} >= {r.ID_NUMBER, r.ADDRESS}


def test_restore_refuses_a_published_text_that_differs_outside_the_log():
    text = "证人王五在场。"
    spans = r.suggest(text, person_names=["王五"]).spans
    published = r.apply(text, spans).replace("在场", "不在场")
    log = [(s.start, s.end, text[s.start : s.end], s.replacement) for s in spans]
    assert r.restore(published, log) != text


def test_overlapping_spans_are_merged_so_apply_never_overlaps():
    spans = [
        r.Span(0, 5, r.ADDRESS, "［住址］"),
        r.Span(3, 9, r.ADDRESS, "［住址］"),
        r.Span(4, 6, r.NAME, "王某"),
    ]
    merged = r.merge(spans)
    assert merged == [r.Span(0, 9, r.ADDRESS, "［住址］")]
    assert r.apply("0123456789", merged) == "［住址］9"


def test_mask_name_keeps_compound_surnames():
    assert r.mask_name("张三") == "张某"
    assert r.mask_name("欧阳修") == "欧阳某"
    assert r.mask_name("司马光") == "司马某"
