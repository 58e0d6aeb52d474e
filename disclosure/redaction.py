"""Automatic redaction of personal data in a decision before it is published (pure functions, no ORM).

总局令第45号 第七条 and 个人信息保护法: a published decision is the served one except for logged redactions of
natural persons' ID numbers, home addresses, phone numbers and other contacts, bank accounts (organisations'
too), health data, and the names of natural persons other than the penalised party. There is no offline
name model: names are the ones the case knows, plus patterns, plus the reviewer's eye.

Two outputs: ``Span`` (redacted automatically) and ``Flag`` (shown to the reviewer, not redacted), e.g. an
18-digit number whose ISO 7064 checksum fails — more likely a typo or another kind of number than an ID,
so a person decides.

Over 500 lines because each kind of personal data is a pattern with its own checks (ID checksums, phone and
account formats, address grammar, names from the case); splitting them would scatter one rule set.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# --- What a span is ------------------------------------------------------------------------------------------

ID_NUMBER = "id_number"
PHONE = "phone"
BANK = "bank_account"
ADDRESS = "address"
HEALTH = "health"
NAME = "name"
PARTY_NAME = "party_name"
OTHER = "other"

KIND_LABELS = {
    ID_NUMBER: "身份证号码",
    PHONE: "电话号码",
    BANK: "银行账号",
    ADDRESS: "住址",
    HEALTH: "健康信息",
    NAME: "自然人姓名",
    PARTY_NAME: "当事人姓名",
    OTHER: "其他个人信息",
}
KIND_CHOICES = list(KIND_LABELS.items())

REPLACEMENTS = {
    ID_NUMBER: "［身份证号码］",
    PHONE: "［电话号码］",
    BANK: "［银行账号］",
    ADDRESS: "［住址］",
    HEALTH: "［健康信息］",
    OTHER: "［已隐去］",
}


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    kind: str
    replacement: str
    # Where the redaction comes from, shown to the reviewer ("询问笔录（被询问人）", "文中“证人”"); not compared.
    origin: str = field(default="", compare=False)

    def text(self, source: str) -> str:
        return source[self.start : self.end]


@dataclass(frozen=True, order=True)
class Flag:
    start: int
    end: int
    kind: str
    note: str


@dataclass
class Suggestion:
    spans: list[Span]
    flags: list[Flag]


# --- Checksums ---------------------------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def resident_id_checksum_ok(number: str) -> bool:
    """GB 11643-1999 公民身份号码: the 18th character is the ISO 7064 MOD 11-2 check of the first 17
    digits ('X' stands for 10)."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def _plausible_date(year: int, month: int, day: int) -> bool:
    return 1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31


def old_id_plausible(number: str) -> bool:
    """A 15-digit ID of before 1999: region (6), birth date YYMMDD of the 1900s (6), sequence (3)."""
    if len(number) != 15 or not number.isdigit():
        return False
    return _plausible_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))


def luhn_ok(digits: str) -> bool:
    """ISO/IEC 7812 Luhn check used by bank card numbers."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# --- Finders -------------------------------------------------------------------------------------------------

# Numbers are delimited by anything that is not a digit or a Latin letter: Chinese text puts them right
# against characters (身份证号码532329198001011234，) with no spaces.
_ID18 = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])")
_REGISTRATION_CONTEXT = re.compile(r"(注册号|信用代码|许可证|编号|批准文号)[^，。；\n]{0,6}$")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(?:(?:\+|00)?86[ \-－]?)?1[3-9]\d(?:[ \-－]?\d{4}){2}(?![0-9A-Za-z])")
_LANDLINE = re.compile(
    r"(?<![0-9A-Za-z])(?:[（(]0\d{2,3}[)）][ \-－]?|0\d{2,3}[ \-－—]?)\d{7,8}(?:[ \-－]?(?:转|ext\.?)\d{1,5})?"
    r"(?![0-9A-Za-z])"
)
_CONTACT_KEYWORD_NUMBER = re.compile(
    r"(?:电话|手机|联系方式|联系电话|座机|微信号?|QQ号?)[:：为是]?\s*([0-9][0-9 \-－]{4,14}[0-9])"
)
_CARD = re.compile(r"(?<![0-9A-Za-z])\d{4}(?:[ \-]?\d{4}){2}[ \-]?\d{4,7}(?![0-9A-Za-z])")
_ACCOUNT_KEYWORD = re.compile(
    r"(?:账号|帐号|账户|帐户|卡号|银行卡|开户行账号)[:：为是]?\s*([0-9][0-9 \-]{6,32}[0-9])"
)

_RESIDENCE_KEYWORD = re.compile(
    r"(?:家庭住址|现住址|户籍所在地|户籍地|居住地|住址|家住|现住|住所)(?:地)?[:：为是在]?\s*"
)
_CLAUSE_END = re.compile(r"[，。；;,！？!?\n、（(]")
# …省 …州/市 …县/区 …镇/乡/街道 …村/社区/路/街 …号: a county (or district) and at least a village or road.
_ADDRESS = re.compile(
    r"(?:[\u4e00-\u9fa5]{2,7}?(?:省|自治区))?"
    r"(?:[\u4e00-\u9fa5]{2,8}?(?:自治州|州|市))?"
    r"[\u4e00-\u9fa5]{1,6}?(?:县|区)"
    r"(?:[\u4e00-\u9fa5]{1,8}?(?:镇|乡|街道))?"
    r"(?:[\u4e00-\u9fa5A-Za-z0-9]{1,10}?(?:村委会|社区|村|组|路|街|巷|大道|弄))+"
    r"(?:[0-9０-９一二三四五六七八九十百]+(?:号|栋|幢|单元|室|楼|组))*"
)
_ADMIN_SUFFIX = re.compile(r"省|自治区|州|市|县|区")
# Words that end the text before an address (当事人在…, 住…, 位于…): the address starts after the last one.
_ADDRESS_LEAD = set("在于住至到从：:为是系的往")

# Strong words name a person's health plainly: the clause is redacted. Weak words are only flagged: 疾病 is
# also in 疾病预防控制中心, 治疗 in product claims a case is about.
_HEALTH_STRONG = (
    "病历",
    "病情",
    "病史",
    "诊断为",
    "确诊",
    "患有",
    "住院治疗",
    "就诊",
    "残疾",
    "精神病",
    "怀孕",
)
_HEALTH_WEAK = ("疾病", "治疗", "症状", "体检", "诊断", "患者", "病人", "医院")
_HEALTH_NOT = ("疾病预防控制", "疾控", "诊断试剂", "医疗器械", "治疗作用", "治疗功能", "疾病治疗功能")
_CLAUSE_PUNCT = "，。；;,！？!?\n"

COMPOUND_SURNAMES = (
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "令狐",
)  # fmt: skip


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def find_id_numbers(text: str) -> tuple[list[Span], list[Flag]]:
    """18-digit numbers with a valid checksum are redacted; those whose checksum fails are flagged. 15-digit
    numbers with a plausible 19xx birth date are old IDs (redacted) unless they follow a registration-number
    word (an old 工商注册号 is 15 digits too, and an organisation's registration is published)."""
    spans, flags = [], []
    for m in _ID18.finditer(text):
        if resident_id_checksum_ok(m.group()):
            spans.append(Span(m.start(), m.end(), ID_NUMBER, REPLACEMENTS[ID_NUMBER]))
        else:
            flags.append(
                Flag(m.start(), m.end(), ID_NUMBER, "18位数字，身份证校验码不符：请核对是否为身份证号码")
            )
    for m in _ID15.finditer(text):
        if _REGISTRATION_CONTEXT.search(text[max(0, m.start() - 12) : m.start()]):
            continue
        if old_id_plausible(m.group()):
            spans.append(Span(m.start(), m.end(), ID_NUMBER, REPLACEMENTS[ID_NUMBER]))
        else:
            flags.append(Flag(m.start(), m.end(), ID_NUMBER, "15位数字：请核对是否为旧身份证号码"))
    return spans, flags


def find_phone_numbers(text: str, keep: Iterable[str] = ()) -> list[Span]:
    """Mobile numbers (1[3-9] + 9 digits, optional +86 and separators), landlines with an area code
    (0878-1234567, （0878）1234567) and any number written after 电话/手机/联系方式. Numbers in ``keep``
    (the bureau's and its units' public telephones) stay."""
    kept = {_digits(k) for k in keep if _digits(k)}
    spans = []
    for pattern in (_MOBILE, _LANDLINE):
        for m in pattern.finditer(text):
            spans.append((m.start(), m.end()))
    for m in _CONTACT_KEYWORD_NUMBER.finditer(text):
        spans.append((m.start(1), m.end(1)))
    result = []
    for start, end in spans:
        digits = _digits(text[start:end])
        if any(digits.endswith(k) or k.endswith(digits) for k in kept):
            continue
        result.append(Span(start, end, PHONE, REPLACEMENTS[PHONE]))
    return result


def find_bank_accounts(text: str) -> tuple[list[Span], list[Flag]]:
    """Card numbers of 16-19 digits (in groups or not) that pass the Luhn check are redacted; a number after
    账号/账户/卡号 is redacted whatever its length or checksum (organisations' accounts are not Luhn
    numbers). Other 16-19 digit runs failing Luhn are flagged."""
    spans, flags = [], []
    for m in _ACCOUNT_KEYWORD.finditer(text):
        spans.append(Span(m.start(1), m.end(1), BANK, REPLACEMENTS[BANK]))
    for m in _CARD.finditer(text):
        digits = _digits(m.group())
        if not 16 <= len(digits) <= 19:
            continue
        if len(digits) == 18 and resident_id_checksum_ok(m.group()):
            continue  # an ID number, handled by find_id_numbers
        if luhn_ok(digits):
            spans.append(Span(m.start(), m.end(), BANK, REPLACEMENTS[BANK]))
        elif len(digits) != 18:
            flags.append(Flag(m.start(), m.end(), BANK, f"{len(digits)}位数字：请核对是否为银行账号"))
    return spans, flags


def _find_all(text: str, needle: str):
    if not needle:
        return
    start = text.find(needle)
    while start != -1:
        yield start, start + len(needle)
        start = text.find(needle, start + len(needle))


def find_addresses(
    text: str, known: Iterable[str] = (), public: Iterable[str] = ()
) -> tuple[list[Span], list[Flag]]:
    """Home addresses of natural persons: every occurrence of an address the case knows for one (``known``),
    and the clause after 住址/家住/现住/户籍地/住所 unless it is a published address (``public``: the
    organisation's or business's registered 住所). Other address-shaped text (…县…镇…村…号) is flagged:
    it may be the shop where the violation happened, which is part of the facts."""
    public = [p for p in public if p]
    spans, flags = [], []
    for address in sorted({k for k in known if k and len(k) >= 4}, key=len, reverse=True):
        for start, end in _find_all(text, address):
            spans.append(Span(start, end, ADDRESS, REPLACEMENTS[ADDRESS]))
    for m in _RESIDENCE_KEYWORD.finditer(text):
        start = m.end()
        stop = _CLAUSE_END.search(text, start)
        end = stop.start() if stop else len(text)
        clause = text[start:end].strip()
        if len(clause) < 4 or any(clause in p or p in clause for p in public):
            continue
        spans.append(Span(start, start + len(text[start:end].rstrip()), ADDRESS, REPLACEMENTS[ADDRESS]))
    for m in _ADDRESS.finditer(text):
        start, end = m.start(), m.end()
        suffix = _ADMIN_SUFFIX.search(text, start, end)
        head_end = suffix.start() if suffix else start
        for i in range(head_end - 1, start - 1, -1):
            if text[i] in _ADDRESS_LEAD:
                start = i + 1
                break
        candidate = text[start:end]
        if any(candidate in p or p in candidate for p in public):
            continue
        flags.append(Flag(start, end, ADDRESS, "疑似地址：如为自然人住址，请隐去"))
    return spans, flags


def _clause_around(text: str, start: int, end: int) -> tuple[int, int]:
    left = start
    while left > 0 and text[left - 1] not in _CLAUSE_PUNCT:
        left -= 1
    right = end
    while right < len(text) and text[right] not in _CLAUSE_PUNCT:
        right += 1
    return left, right


def find_health_data(text: str) -> tuple[list[Span], list[Flag]]:
    """Health data (个人信息保护法 第二十八条: sensitive personal information): the clause around a strong
    keyword (病历, 诊断为, 患有 …) is redacted; weaker words are flagged for the reviewer; institution names
    such as 疾病预防控制中心 are neither."""
    masked = text
    for phrase in _HEALTH_NOT:
        masked = masked.replace(phrase, "\0" * len(phrase))
    spans, flags = [], []
    for word in _HEALTH_STRONG:
        for start, end in _find_all(masked, word):
            left, right = _clause_around(text, start, end)
            spans.append(Span(left, right, HEALTH, REPLACEMENTS[HEALTH]))
    for word in _HEALTH_WEAK:
        for start, end in _find_all(masked, word):
            flags.append(Flag(start, end, HEALTH, f"“{word}”：如涉及个人健康信息，请隐去"))
    return spans, flags


def surname(name: str) -> str:
    name = name.strip()
    for compound in COMPOUND_SURNAMES:
        if name.startswith(compound) and len(name) > 2:
            return compound
    return name[:1]


def mask_name(name: str) -> str:
    """张三丰 → 张某; 欧阳修 → 欧阳某 (the usual form in published decisions)."""
    name = name.strip()
    return f"{surname(name)}某" if name else name


def business_public_name(name: str, operator: str) -> str:
    """The published name of a 个体工商户 (个人信息保护法 第四条、第二十五条; 总局令第45号 第六条): its 字号/名称
    often carries the operator's own name ("武定县张三小吃店", or no 字号 at all: "张三"); every occurrence of the
    operator's name is masked as a natural person's name is in the text (张三 → 张某: "武定县张某小吃店", "张某").
    The one rule for every published 个体工商户 name (decisions' party and inspection results)."""
    spans = find_names(name, {operator: "个体工商户名称中的经营者姓名"}, kind=PARTY_NAME) if operator else []
    return apply(name, spans)


_NAME = re.compile(r"^[\u4e00-\u9fa5·]{2,6}$")
_NAME_SPLIT = re.compile(r"[、,，;；/\s]+")
_PARENTHESES = re.compile(r"[（(][^）)]*[）)]")


def names_in(value: str) -> list[str]:
    """Person names in a free-text field such as 现场负责人 “张某某（店长）、李四”: parenthesised roles dropped,
    split on separators, kept if they look like a Chinese name (2-6 characters)."""
    if not isinstance(value, str):
        return []
    cleaned = _PARENTHESES.sub("", value)
    return [part for part in _NAME_SPLIT.split(cleaned) if _NAME.match(part) and "某" not in part[1:]]


def find_names(text: str, names: Iterable[str] | dict[str, str], *, kind: str = NAME) -> list[Span]:
    """Every occurrence of each known name, longest first, replaced by its surname and 某. ``names`` may map
    each name to where the case records it (the span's origin)."""
    origins = names if isinstance(names, dict) else {}
    spans = []
    taken: list[tuple[int, int]] = []
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        for start, end in _find_all(text, name):
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            spans.append(Span(start, end, kind, mask_name(name), origins.get(name, "")))
    return spans


# Words that name a natural person's role right before the name ("证人王小明证实", "举报人：李四").
ROLE_WORDS = (
    "委托代理人", "听证参加人", "被询问人", "被检查人", "现场负责人", "法定代理人", "代理人", "举报人",
    "投诉人", "证人", "见证人", "在场人", "签收人", "收件人", "代收人", "消费者", "顾客", "患者", "店员",
    "员工", "职工", "雇员", "营业员", "收银员", "厨师", "监护人", "家属", "亲属", "父亲", "母亲", "丈夫",
    "妻子", "儿子", "女儿", "翻译人员", "陪同人",
)  # fmt: skip
# The common single-character surnames (《百家姓》's most frequent): a guard against reading "证人证实" as a name.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "普李者起鲁施杞自字罗"
)
# What follows a name in a sentence: a verb of saying, a preposition, punctuation.
_AFTER_NAME = (
    r"(?=证实|证明|称|说|表示|反映|陈述|介绍|确认|承认|供述|辩称|提供|签收|签字|拒绝|在|于|的|到|向|等|均|也|"
    r"及|和|与|系|是|为|因|（|\(|，|,|。|、|；|;|：|:|\s|$)"
)
_ROLE_NAME = re.compile(
    "(?:"
    + "|".join(sorted(ROLE_WORDS, key=len, reverse=True))
    + r")[:：\s]?"
    + r"([\u4e00-\u9fa5]{2,3}?)"
    + _AFTER_NAME
)
_COMPOUND_ROLE_NAME = re.compile(
    "(?:"
    + "|".join(sorted(ROLE_WORDS, key=len, reverse=True))
    + r")[:：\s]?"
    + "((?:"
    + "|".join(("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙"))
    + r")"
    + r"[\u4e00-\u9fa5]{1,2}?)"
    + _AFTER_NAME
)


def names_by_role(text: str) -> dict[str, str]:
    """Names found by pattern: a role word followed by a name ("证人王小明证实" → {"王小明": "证人"}). Masked
    names (王某, 王某某) are already anonymous and are left alone."""
    found: dict[str, str] = {}
    for pattern in (_COMPOUND_ROLE_NAME, _ROLE_NAME):
        for match in pattern.finditer(text or ""):
            name = match.group(1)
            role = match.group(0)[: match.start(1) - match.start(0)].rstrip(":： ")
            if "某" in name[1:] or name in found:
                continue
            if pattern is _ROLE_NAME and name[0] not in SURNAMES:
                continue
            found[name] = role
    return found


# --- Putting it together -------------------------------------------------------------------------------------


def merge(spans: Iterable[Span]) -> list[Span]:
    """Non-overlapping spans in text order: where two overlap, the one that starts first wins (the longer
    on a tie), so the result can be applied and reversed unambiguously."""
    result: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if span.end <= span.start:
            continue
        if result and span.start < result[-1].end:
            last = result[-1]
            if span.end > last.end and last.kind == span.kind and last.kind not in (NAME, PARTY_NAME):
                result[-1] = Span(last.start, span.end, last.kind, last.replacement, last.origin)
            continue
        result.append(span)
    return result


def suggest(
    text: str,
    *,
    person_names: Iterable[str] | dict[str, str] = (),
    party_name: str = "",
    mask_party: bool = False,
    home_addresses: Iterable[str] = (),
    public_addresses: Iterable[str] = (),
    public_phones: Iterable[str] = (),
) -> Suggestion:
    """All automatic redactions and reviewer flags of ``text``.

    ``person_names``: natural persons other than the party that the case knows (witnesses, interviewees,
    other parties and their people); ``party_name`` with ``mask_party``: the natural-person party's own name,
    masked when the setting says so; ``home_addresses``: addresses the case knows for natural persons;
    ``public_addresses``/``public_phones``: published contact data (the organisation's 住所, the bureau's
    telephone) that must stay. Names found by pattern in the text itself ("证人王小明") are added to the
    case's own (names_by_role)."""
    spans: list[Span] = []
    flags: list[Flag] = []
    for found in (find_id_numbers(text), find_bank_accounts(text), find_addresses(text, home_addresses, public_addresses), find_health_data(text)):  # fmt: skip
        spans.extend(found[0])
        flags.extend(found[1])
    spans.extend(find_phone_numbers(text, public_phones))
    origins = dict(person_names) if isinstance(person_names, dict) else dict.fromkeys(person_names, "")
    for name, role in names_by_role(text).items():
        origins.setdefault(name, f"决定书文字（“{role}”）")
    names = {n: origin for n, origin in origins.items() if n and n != party_name}
    if mask_party and party_name:
        spans.extend(find_names(text, {party_name: "当事人（按设置隐去姓名）"}, kind=PARTY_NAME))
    spans.extend(find_names(text, names))
    merged = merge(spans)
    covered = [(s.start, s.end) for s in merged]
    open_flags = sorted(
        {f for f in flags if not any(s <= f.start and f.end <= e for s, e in covered)},
        key=lambda f: (f.start, f.end),
    )
    return Suggestion(spans=merged, flags=open_flags)


def apply(text: str, spans: Iterable[Span]) -> str:
    """The published text: each span replaced by its replacement (spans must not overlap)."""
    out, pos = [], 0
    for span in sorted(spans):
        if span.start < pos:
            raise ValueError("redaction spans overlap")
        out.append(text[pos : span.start])
        out.append(span.replacement)
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


def restore(published: str, redactions: Iterable[tuple[int, int, str, str]]) -> str:
    """The original text from the published one and the redaction log: ``(start, end, original,
    replacement)`` per redaction, positions in the original. Used to prove that the published text differs
    from the issued one only where a redaction was logged."""
    out, pos, shift = [], 0, 0
    for start, end, original, replacement in sorted(redactions):
        at = start + shift
        if published[at : at + len(replacement)] != replacement:
            raise ValueError(f"published text does not carry the logged replacement at {start}")
        out.append(published[pos:at])
        out.append(original)
        pos = at + len(replacement)
        shift += len(replacement) - (end - start)
    out.append(published[pos:])
    return "".join(out)


def segments(text: str, spans: Iterable, flags: Iterable = ()) -> list[tuple[str, object, str]]:
    """The text cut into (piece, span-or-flag-or-None, role) for the reviewer's side-by-side view; role is
    'redacted', 'flag' or ''. Flags inside a span are dropped."""
    marks = [(s.start, s.end, s, "redacted") for s in spans]
    for f in flags:
        if not any(s <= f.start < e or s < f.end <= e for s, e, _, _ in marks):
            marks.append((f.start, f.end, f, "flag"))
    marks.sort(key=lambda m: (m[0], -m[1]))
    out, pos = [], 0
    for start, end, obj, role in marks:
        if start < pos:
            continue
        if start > pos:
            out.append((text[pos:start], None, ""))
        out.append((text[start:end], obj, role))
        pos = end
    if pos < len(text):
        out.append((text[pos:], None, ""))
    return out
