"""The demo bureau: units, fictitious staff and cases (every name, ID number and phone number is made up).

Only data lives here (the cases are in case_data.py); seeding.py turns it into rows through the domain API.
"""

import datetime
from dataclasses import dataclass

from wuding_enforcement.roster.models import CertificateKind, QualificationKind, Role, UnitKind

# One password for every demo account: it passes the validators (length 8+, three character classes, not a
# common password) and is easy to type during a demonstration.
DEMO_PASSWORD = "Wuding@2026"  # noqa: S105 - a published demo password, refused where DEMO_MODE is off
# Chuxiong prefecture's area code; 武定县's administrative division code is 532329.
AREA_PHONE = "0878"
COUNTY_CODE = "532329"

# --- Units ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitSpec:
    key: str
    name: str
    kind: str
    order: int
    address: str
    phone: str


_TOWNS = [
    # (key, town name, the township's full name)
    ("shishan", "狮山", "狮山镇"),
    ("gaoqiao", "高桥", "高桥镇"),
    ("maojie", "猫街", "猫街镇"),
    ("chadian", "插甸", "插甸镇"),
    ("bailu", "白路", "白路镇"),
    ("wande", "万德", "万德镇"),
    ("huanzhou", "环州", "环州乡"),
    ("dongpo", "东坡", "东坡傈僳族乡"),
    ("tianxin", "田心", "田心乡"),
    ("fawo", "发窝", "发窝乡"),
    ("jiyi", "己衣", "己衣镇"),
]

UNITS = [
    UnitSpec("office", "办公室", UnitKind.OFFICE, 1, "武定县狮山镇演示路1号", f"{AREA_PHONE}-8700101"),
    UnitSpec("policy", "政策法规股", UnitKind.OFFICE, 2, "武定县狮山镇演示路1号", f"{AREA_PHONE}-8700102"),
    UnitSpec(
        "approval",
        "行政审批股",
        UnitKind.OFFICE,
        3,
        "武定县政务服务中心二楼（演示）",
        f"{AREA_PHONE}-8700103",
    ),
    UnitSpec(
        "brigade", "综合执法大队", UnitKind.BRIGADE, 5, "武定县狮山镇演示路1号", f"{AREA_PHONE}-8700105"
    ),
] + [
    UnitSpec(
        key,
        f"{town}市场监督管理所",
        UnitKind.STATION,
        10 + i,
        f"武定县{full}集镇演示街{10 + i}号",
        f"{AREA_PHONE}-87002{10 + i:02d}",
    )
    for i, (key, town, full) in enumerate(_TOWNS)
]
# The unit whose existence marks the demo as already loaded (with the demo usernames below).
MARKER_UNIT = "综合执法大队"

# --- Staff ------------------------------------------------------------------------------------------------

# Certificate states, each relative to the day the demo is seeded.
VALID, EXPIRING, EXPIRED, SUSPENDED, REVOKED, CANCELLED = (
    "valid",
    "expiring",
    "expired",
    "suspended",
    "revoked",
    "cancelled",
)


@dataclass(frozen=True)
class StaffSpec:
    username: str
    real_name: str
    unit: str
    roles: tuple[str, ...]
    head: bool = False
    cert: str | None = VALID  # None: no enforcement certificate
    cert_kind: str = CertificateKind.ENFORCEMENT
    cert_fields: str = "食品安全、产品质量、价格、广告"
    expiring_in: int = 0  # days, for EXPIRING
    is_staff: bool = False
    review_started: datetime.date | None = None
    qualification: tuple[str, str, datetime.date] | None = None  # (number, kind, granted_on)
    title: str = ""  # post, shown in the account table


OFF, HEAD, REV, BUR, KEEP, ADM = (
    Role.OFFICER,
    Role.UNIT_HEAD,
    Role.LEGAL_REVIEWER,
    Role.BUREAU_HEAD,
    Role.RECORDS_KEEPER,
    Role.ADMIN,
)
ALL_FIELDS = "食品安全、产品质量、价格、广告、特种设备、计量、药品医疗器械化妆品"

STAFF = [
    # 局领导: the head and a deputy designated 局负责人 for approvals.
    StaffSpec("bureau_head", "杨文涛", "office", (BUR, OFF), cert_fields=ALL_FIELDS, title="局长"),
    StaffSpec("deputy_head", "张丽华", "office", (BUR, OFF), cert_fields=ALL_FIELDS, title="副局长"),
    # 办公室
    StaffSpec("licm", "李春梅", "office", (HEAD, OFF), head=True, title="办公室主任"),
    StaffSpec("admin", "赵雪", "office", (ADM,), cert=None, is_staff=True, title="系统管理员"),
    StaffSpec("luozm", "罗志明", "office", (OFF,), cert=CANCELLED, title="科员（已调离执法岗位）"),
    # 政策法规股: the senior reviewer began before 2021-07-15, the younger one holds 法律职业资格.
    StaffSpec(
        "reviewer_senior",
        "陈光辉",
        "policy",
        (HEAD, REV, OFF),
        head=True,
        title="股长",
        review_started=datetime.date(2015, 3, 1),
    ),
    StaffSpec(
        "reviewer",
        "何思远",
        "policy",
        (REV,),
        cert=None,
        title="法制审核员",
        review_started=datetime.date(2022, 3, 1),
        qualification=("A20215323290017", QualificationKind.A, datetime.date(2021, 12, 20)),
    ),
    # 行政审批股
    StaffSpec("pulp", "普丽萍", "approval", (HEAD,), head=True, cert=None, title="股长"),
    # 综合执法大队
    StaffSpec(
        "unit_head", "王建国", "brigade", (HEAD, OFF), head=True, cert_fields=ALL_FIELDS, title="大队长"
    ),
    StaffSpec("officer", "刘晓燕", "brigade", (OFF,), cert_fields=ALL_FIELDS, title="执法队员"),
    StaffSpec("maj", "马俊", "brigade", (OFF,), cert_fields="食品安全、产品质量、特种设备", title="执法队员"),
    StaffSpec("zhoum", "周敏", "brigade", (OFF,), cert=EXPIRING, expiring_in=12, title="执法队员"),
    StaffSpec("sunh", "孙浩", "brigade", (OFF,), cert_fields="广告、价格、特种设备", title="执法队员"),
    StaffSpec(
        "zhuyf", "朱永福", "brigade", (OFF,), cert_fields="药品医疗器械化妆品、食品安全", title="执法队员"
    ),
    StaffSpec("huangjh", "黄继红", "brigade", (OFF,), cert=SUSPENDED, title="执法队员"),
    StaffSpec("records", "段丽琼", "brigade", (KEEP,), cert=None, title="档案管理员"),
    # 狮山所
    StaffSpec("shigq", "施国庆", "shishan", (HEAD, OFF), head=True, title="所长"),
    StaffSpec("biy", "毕云", "shishan", (OFF,), title="执法人员"),
    StaffSpec(
        "lij",
        "李娟",
        "shishan",
        (OFF,),
        cert=EXPIRING,
        expiring_in=5,
        cert_kind=CertificateKind.ENTRUSTED,
        title="执法人员（受委托）",
    ),
    StaffSpec("luzq", "鲁志强", "shishan", (OFF,), cert=EXPIRED, title="执法人员"),
    # 高桥所
    StaffSpec("zizl", "自正林", "gaoqiao", (HEAD, OFF), head=True, title="所长"),
    StaffSpec("yangcy", "杨春燕", "gaoqiao", (OFF,), title="执法人员"),
    StaffSpec(
        "zhangh", "张海", "gaoqiao", (OFF,), cert_kind=CertificateKind.ENTRUSTED, title="执法人员（受委托）"
    ),
    StaffSpec("luodm", "罗德明", "gaoqiao", (OFF,), cert=REVOKED, title="执法人员"),
    # The other town offices: a head and one officer each.
    StaffSpec("ligh", "李国华", "maojie", (HEAD, OFF), head=True, title="所长"),
    StaffSpec("maohm", "毛红梅", "maojie", (OFF,), cert=EXPIRING, expiring_in=25, title="执法人员"),
    StaffSpec("lujp", "鲁建平", "chadian", (HEAD, OFF), head=True, title="所长"),
    StaffSpec("yangf", "杨帆", "chadian", (OFF,), title="执法人员"),
    StaffSpec("pujz", "普建忠", "bailu", (HEAD, OFF), head=True, title="所长"),
    StaffSpec("sut", "苏婷", "bailu", (OFF,), title="执法人员"),
    # 白路所 has archived cases: its own records keeper archives them (归档 is the unit keeper's act).
    StaffSpec("records_bailu", "普秀英", "bailu", (KEEP,), cert=None, title="档案管理员"),
    StaffSpec("qizf", "起正福", "wande", (HEAD, OFF), head=True, title="所长"),
    StaffSpec("lihy", "李红艳", "wande", (OFF,), title="执法人员"),
    StaffSpec("zhangyg", "张永贵", "huanzhou", (HEAD, OFF), head=True, title="所长"),
    StaffSpec(
        "shixl", "施晓兰", "huanzhou", (OFF,), cert_kind=CertificateKind.ENTRUSTED, title="执法人员（受委托）"
    ),
    StaffSpec("luor", "罗荣", "dongpo", (HEAD, OFF), head=True, title="所长"),
    StaffSpec("zihy", "自海燕", "dongpo", (OFF,), title="执法人员"),
    StaffSpec("zhoudc", "周德昌", "tianxin", (HEAD, OFF), head=True, title="所长"),
    StaffSpec("yangl", "杨丽", "tianxin", (OFF,), title="执法人员"),
    StaffSpec("bizg", "毕志刚", "fawo", (HEAD, OFF), head=True, title="所长"),
    StaffSpec("lixy", "李小燕", "fawo", (OFF,), title="执法人员"),
    StaffSpec("putm", "普天明", "jiyi", (HEAD, OFF), head=True, title="所长"),
    StaffSpec("luj", "鲁静", "jiyi", (OFF,), title="执法人员"),
]

# The accounts the demo hands out, one per role (two for the roles with two kinds of holder).
DEMO_ACCOUNTS = [
    (Role.OFFICER, "officer"),
    (Role.UNIT_HEAD, "unit_head"),
    (Role.LEGAL_REVIEWER, "reviewer"),
    (Role.LEGAL_REVIEWER, "reviewer_senior"),
    (Role.BUREAU_HEAD, "bureau_head"),
    (Role.BUREAU_HEAD, "deputy_head"),
    (Role.RECORDS_KEEPER, "records"),
    (Role.ADMIN, "admin"),
]
# Roles that must pass two-factor (settings.OTP_REQUIRED_ROLES): they get demo backup codes.
OTP_DEMO_USERNAMES = ["admin", "reviewer", "reviewer_senior"]
