"""Password rules for staff accounts: at least 8 characters, at least 3 character classes, no common password."""

import string

from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError


class ChineseMinimumLengthValidator(MinimumLengthValidator):
    """Django's length rule with a Chinese error message.

    Django 5.2 rephrased this message with a plural form that its zh_Hans catalogue does not translate yet,
    so staff would read it in English.
    """

    def get_error_message(self):
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"


class CharacterClassValidator:
    """At least `min_classes` of: upper case, lower case, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    @staticmethod
    def classes_in(password: str) -> int:
        return sum(
            (
                any(c.isupper() for c in password),
                any(c.islower() for c in password),
                any(c.isdigit() for c in password),
                any(c in string.punctuation or not c.isalnum() for c in password),
            )
        )

    def validate(self, password, user=None):
        if self.classes_in(password) < self.min_classes:
            raise ValidationError(
                "密码须至少包含大写字母、小写字母、数字、符号中的 %(n)d 类。",
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self):
        return f"密码须至少包含大写字母、小写字母、数字、符号中的 {self.min_classes} 类。"


# Hanyu pinyin of the commonest Chinese surnames (the first ~120 of the 百家姓 by frequency, which cover most
# of the population), as read in a surname (单 shan, 曾 zeng, 仇 qiu, 区 ou, 解 xie). Enough to recognise the
# usual way staff build usernames and weak passwords from their name — surname in full, given name as
# initials (杨磊 → yangl) — without a pinyin dependency. The Staff model keeps no romanised name, so the given
# name is matched as "one or two more letters".
SURNAME_PINYIN = {
    "王": "wang", "李": "li", "张": "zhang", "刘": "liu", "陈": "chen", "杨": "yang", "黄": "huang", "赵": "zhao",
    "吴": "wu", "周": "zhou", "徐": "xu", "孙": "sun", "马": "ma", "朱": "zhu", "胡": "hu", "郭": "guo", "何": "he",
    "高": "gao", "林": "lin", "罗": "luo", "郑": "zheng", "梁": "liang", "谢": "xie", "宋": "song", "唐": "tang",
    "许": "xu", "韩": "han", "冯": "feng", "邓": "deng", "曹": "cao", "彭": "peng", "曾": "zeng", "肖": "xiao",
    "田": "tian", "董": "dong", "袁": "yuan", "潘": "pan", "于": "yu", "蒋": "jiang", "蔡": "cai", "余": "yu",
    "杜": "du", "叶": "ye", "程": "cheng", "苏": "su", "魏": "wei", "吕": "lv", "丁": "ding", "任": "ren",
    "沈": "shen", "姚": "yao", "卢": "lu", "姜": "jiang", "崔": "cui", "钟": "zhong", "谭": "tan", "陆": "lu",
    "汪": "wang", "范": "fan", "金": "jin", "石": "shi", "廖": "liao", "贾": "jia", "夏": "xia", "韦": "wei",
    "付": "fu", "傅": "fu", "方": "fang", "白": "bai", "邹": "zou", "孟": "meng", "熊": "xiong", "秦": "qin",
    "邱": "qiu", "江": "jiang", "尹": "yin", "薛": "xue", "闫": "yan", "阎": "yan", "段": "duan", "雷": "lei",
    "侯": "hou", "龙": "long", "史": "shi", "陶": "tao", "黎": "li", "贺": "he", "顾": "gu", "毛": "mao",
    "郝": "hao", "龚": "gong", "邵": "shao", "万": "wan", "钱": "qian", "严": "yan", "覃": "qin", "武": "wu",
    "戴": "dai", "莫": "mo", "孔": "kong", "向": "xiang", "汤": "tang", "常": "chang", "温": "wen", "康": "kang",
    "施": "shi", "文": "wen", "牛": "niu", "樊": "fan", "葛": "ge", "邢": "xing", "安": "an", "齐": "qi",
    "易": "yi", "乔": "qiao", "伍": "wu", "庞": "pang", "颜": "yan", "倪": "ni", "庄": "zhuang", "聂": "nie",
    "章": "zhang", "鲁": "lu", "岳": "yue", "翟": "zhai", "殷": "yin", "詹": "zhan", "申": "shen", "欧": "ou",
    "耿": "geng", "关": "guan", "兰": "lan", "焦": "jiao", "俞": "yu", "左": "zuo", "柳": "liu", "甘": "gan",
    "祝": "zhu", "包": "bao", "宁": "ning", "尚": "shang", "符": "fu", "舒": "shu", "阮": "ruan", "柯": "ke",
    "纪": "ji", "梅": "mei", "童": "tong", "凌": "ling", "毕": "bi", "单": "shan", "季": "ji", "裴": "pei",
    "霍": "huo", "涂": "tu", "成": "cheng", "苗": "miao", "谷": "gu", "盛": "sheng", "曲": "qu", "翁": "weng",
    "冉": "ran", "骆": "luo", "蓝": "lan", "路": "lu", "游": "you", "辛": "xin", "靳": "jin", "管": "guan",
    "柴": "chai", "蒙": "meng", "鲍": "bao", "华": "hua", "喻": "yu", "祁": "qi", "蒲": "pu", "房": "fang",
    "滕": "teng", "屈": "qu", "饶": "rao", "解": "xie", "牟": "mou", "艾": "ai", "尤": "you", "阳": "yang",
    "时": "shi", "穆": "mu", "农": "nong", "司": "si", "卓": "zhuo", "古": "gu", "吉": "ji", "缪": "miao",
    "简": "jian", "车": "che", "项": "xiang", "连": "lian", "芦": "lu", "麦": "mai", "褚": "chu", "娄": "lou",
    "窦": "dou", "戚": "qi", "岑": "cen", "景": "jing", "党": "dang", "宫": "gong", "费": "fei", "卜": "bu",
    "冷": "leng", "晏": "yan", "席": "xi", "卫": "wei", "米": "mi", "柏": "bai", "宗": "zong", "瞿": "qu",
    "桂": "gui", "全": "quan", "佟": "tong", "应": "ying", "臧": "zang", "闵": "min", "苟": "gou", "邬": "wu",
    "边": "bian", "卞": "bian", "姬": "ji", "师": "shi", "和": "he", "仇": "qiu", "栾": "luan", "隋": "sui",
    "商": "shang", "刁": "diao", "沙": "sha", "荣": "rong", "巫": "wu", "寇": "kou", "桑": "sang", "郎": "lang",
    "甄": "zhen", "丛": "cong", "仲": "zhong", "虞": "yu", "敖": "ao", "巩": "gong", "明": "ming", "佘": "she",
    "池": "chi", "查": "zha", "麻": "ma", "苑": "yuan", "迟": "chi", "邝": "kuang", "区": "ou", "普": "pu",
    "者": "zhe", "起": "qi", "自": "zi", "禄": "lu", "杞": "qi",
    "欧阳": "ouyang", "司马": "sima", "上官": "shangguan", "诸葛": "zhuge", "东方": "dongfang", "皇甫": "huangfu",
}  # fmt: skip
# The given name, written as initials or a short syllable, adds at most this many letters.
GIVEN_NAME_LETTERS = 2


def _letters(text: str) -> str:
    return "".join(c for c in (text or "").lower() if c.isascii() and c.isalpha())


def surname_pinyin(real_name: str) -> str:
    name = (real_name or "").strip()
    return SURNAME_PINYIN.get(name[:2]) or SURNAME_PINYIN.get(name[:1], "")


class PersonalNamePasswordValidator:
    """Refuses a password that is the username, or the surname's pinyin plus initials, dressed up with digits,
    symbols and capitals: `yangl2026!` for username yangl / 杨磊, `Yang@2026` for 杨磊. Django's
    UserAttributeSimilarityValidator scores `yangl2026!` 0.667, under its 0.7 threshold, so it let it pass.

    What is compared: the password's letters (digits and symbols removed, lower case) against the username's
    letters, and against the surname's pinyin followed by at most GIVEN_NAME_LETTERS letters. The Staff model
    keeps no romanised name; the surname table (SURNAME_PINYIN) covers the common surnames without a pinyin
    dependency, and the username covers the rest.
    """

    def validate(self, password, user=None):
        if user is None:
            return
        core = _letters(password)
        if not core:
            return
        username = _letters(getattr(user, "username", ""))
        if len(username) >= 3 and (core == username or core == username[::-1]):
            raise ValidationError("密码不能由用户名加数字或符号组成。", code="password_from_username")
        surname = surname_pinyin(getattr(user, "real_name", ""))
        if surname and core.startswith(surname) and len(core) - len(surname) <= GIVEN_NAME_LETTERS:
            raise ValidationError(
                "密码不能由姓名的拼音（或拼音缩写）加数字或符号组成。", code="password_from_name"
            )

    def get_help_text(self):
        return "密码不能由用户名或姓名拼音加数字、符号组成。"


# --- Certificate photos (shown publicly on the verify page and the printable 核验卡) ---------------------------

PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_MIN_SIDE, PHOTO_MAX_SIDE = 120, 2000
_PHOTO_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def validate_certificate_photo(file) -> None:
    """A JPEG or PNG (read from the first bytes, not the name) of at most 2 MB, each side 120–2000 pixels:
    what a verify page on a phone and a printed card need, and nothing a visitor's data plan pays for."""
    if file.size is not None and file.size > PHOTO_MAX_BYTES:
        raise ValidationError(f"照片不能超过 {PHOTO_MAX_BYTES // (1024 * 1024)} MB。")
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(8)
    file.seek(position)
    if not head.startswith(_PHOTO_MAGIC):
        raise ValidationError("照片须为 JPEG 或 PNG 图片。")
    width, height = getattr(file, "width", None), getattr(file, "height", None)
    if (
        width
        and height
        and not (min(width, height) >= PHOTO_MIN_SIDE and max(width, height) <= PHOTO_MAX_SIDE)
    ):
        raise ValidationError(
            f"照片每边须在 {PHOTO_MIN_SIDE} 至 {PHOTO_MAX_SIDE} 像素之间（当前 {width}×{height}）。"
        )
