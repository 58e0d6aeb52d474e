"""The demo cases: ~30 fictitious cases that leave at least one case in every stage of the workflow.

Pure data (one entry per case), hence the length; seeding.py moves each case along its `path` through the
domain API.
"""

import datetime
from dataclasses import dataclass, field

from wuding_enforcement.cases.models import LeadSource, PartyKind
from wuding_enforcement.cases.workflow import Procedure, Stage

# --- Cases ------------------------------------------------------------------------------------------------


def person(name, birth, seq, address, phone, *, minor=False):
    """A natural person; `birth` is a date, or an age in years (kept relative to the seeding day, so that a
    minor stays a minor whenever the demo is loaded)."""
    return {
        "kind": PartyKind.PERSON,
        "name": name,
        "birth": birth,
        "seq": seq,
        "address": address,
        "phone": phone,
        "is_minor": minor,
    }


def individual(name, operator, seq, address, phone):
    return {
        "kind": PartyKind.INDIVIDUAL_BUSINESS,
        "name": name,
        "operator": operator,
        "seq": seq,
        "address": address,
        "phone": phone,
    }


def organisation(name, legal_rep, seq, address, phone):
    return {
        "kind": PartyKind.ORGANISATION,
        "name": name,
        "legal_representative": legal_rep,
        "seq": seq,
        "address": address,
        "phone": phone,
    }


@dataclass
class CaseSpec:
    unit: str
    title: str
    source: str
    lead_ago: int  # working days before the seeding day
    officers: tuple[str, ...]
    parties: list[dict]
    matters: tuple[str, ...]
    path: tuple[str, ...] = ()
    procedure: str = Procedure.ORDINARY
    summary: str = ""
    reasons: dict = field(default_factory=dict)  # stage -> reason, overriding the default wording
    pending: tuple[str, str] | None = None  # (approval kind, "unit_head" | "bureau_head"): left waiting
    approved_extension: tuple[str, int] | None = None  # (approval kind, days)
    # (kind, start, end, note): start/end in working days after the lead date; start None = the filing day
    # (the decision clock's pauses), end None = still running.
    pause: tuple[str, int | None, int | None, str] | None = None
    reviewer_sees: bool = False
    hearing: bool = False  # the party asks for a hearing after the 告知 (demo/seeding.py hold_hearing)
    no_penalty: bool = False  # decided by a 不予行政处罚决定书 on the investigation report
    # 简易程序: the 当场行政处罚决定书's own contents (facts, fine, payment), issued on the lead day
    # (demo/procedure.py on_the_spot); a fine within 第五十一条's limits.
    on_spot: dict = field(default_factory=dict)


S = Stage
# 简易程序's facts, as the officers found them on the spot (fictitious).
_LICENCE_FACTS = "当事人未将营业执照置于经营场所醒目位置。本所此前已责令其改正，执法人员复查时发现当事人仍未改正，当事人对上述事实无异议。"
_PRICE_FACTS = (
    "执法人员检查时发现，当事人经营场所陈列销售的商品中有{n}种未标示价格，未按规定明码标价；"
    "当事人对上述事实无异议，并当场改正。"
)
_FILED_PATH = (S.VERIFYING, S.FILED, S.INVESTIGATING)
_TO_NOTIFIED = (*_FILED_PATH, S.INVESTIGATION_CONCLUDED, S.NOTIFIED)
_TO_STATEMENT = (*_TO_NOTIFIED, S.STATEMENT)

CASES = [
    # --- awaiting the 立案 decision ---
    CaseSpec(
        "shishan",
        "涉嫌经营超过保质期的食品案",
        LeadSource.COMPLAINT,
        28,
        ("biy", "shigq"),
        [individual("武定县狮山镇惠民副食店", "张玉兰", 1, "武定县狮山镇演示街3号", "13800001001")],
        ("CF-SP-005",),
        summary="消费者投诉在该店购买的袋装牛奶已超过保质期。",
    ),
    CaseSpec(
        "brigade",
        "涉嫌不明码标价案",
        LeadSource.INSPECTION,
        13,
        ("officer", "maj"),
        [individual("武定县鑫源水果店", "杨光明", 2, "武定县狮山镇演示街18号", "13800001002")],
        ("CF-JG-001",),
        summary="日常检查发现部分水果未标明价格。",
    ),
    CaseSpec(
        "brigade",
        "涉嫌销售不合格电动自行车头盔案",
        LeadSource.MONITORING,
        22,
        ("officer", "zhoum"),
        [organisation("武定县骑安车业有限公司", "鲁家兴", 3, "武定县狮山镇演示路66号", "13800001003")],
        ("CF-CP-001",),
        summary="县级监督抽查抽取的电动自行车乘员头盔送检，待检验结论。",
        approved_extension=("filing_ext", 15),
        pause=("testing", 3, 10, "头盔样品送楚雄州产品质量检验所检验"),
    ),
    CaseSpec(
        "gaoqiao",
        "涉嫌销售未经检验的生鲜猪肉案",
        LeadSource.INSPECTION,
        19,
        ("zizl", "luodm"),
        [individual("武定县高桥镇鲜肉铺", "罗永富", 34, "武定县高桥镇农贸市场12号摊位", "13800001034")],
        ("CF-SP-005",),
        summary="日常检查发现摊位销售的猪肉无检疫合格证明和肉品品质检验合格证明，核查未按期完成。",
    ),
    CaseSpec(
        "maojie",
        "涉嫌使用未经检定的电子秤案",
        LeadSource.COMPLAINT,
        14,
        ("ligh", "maohm"),
        [individual("武定县猫街镇杂货店", "毛正华", 35, "武定县猫街镇演示街7号", "13800001035")],
        ("CF-JL-001",),
        summary="消费者投诉购买的蔬菜短斤少两，怀疑电子秤未按规定申请强制检定。",
    ),
    CaseSpec(
        "gaoqiao",
        "涉嫌未取得食品经营许可从事食品经营案",
        LeadSource.COMPLAINT,
        4,
        ("yangcy", "zhangh"),
        [person("起春花", datetime.date(1978, 4, 12), 22, "武定县高桥镇演示村5组", "13800001004")],
        ("CF-SP-001",),
        summary="群众举报高桥集市有人长期销售自制凉拌菜，未办理食品经营许可。",
        path=(S.VERIFYING,),
        pending=("filing", "unit_head"),
    ),
    CaseSpec(
        "brigade",
        "涉嫌发布虚假广告案",
        LeadSource.MONITORING,
        6,
        ("maj", "sunh"),
        [organisation("武定县康年健康咨询有限公司", "何东升", 5, "武定县狮山镇演示路20号", "13800001005")],
        ("CF-GG-001",),
        summary="网络监测发现其微信公众号宣称普通食品可治疗糖尿病。",
        path=(S.VERIFYING,),
        pending=("filing", "bureau_head"),
    ),
    CaseSpec(
        "shishan",
        "涉嫌销售不合格化妆品案",
        LeadSource.INSPECTION,
        9,
        ("biy", "lij"),
        [individual("武定县美颜化妆品店", "施美玲", 6, "武定县狮山镇演示街26号", "13800001006")],
        ("CF-HZ-001",),
        summary="检查发现一批美白霜无中文标签，已抽样送检。",
        path=(S.VERIFYING,),
        pause=("testing", 2, None, "美白霜样品送检（汞含量）"),
    ),
    CaseSpec(
        "maojie",
        "涉嫌使用未经检定的计量器具案",
        LeadSource.INSPECTION,
        3,
        ("maohm", "ligh"),
        [individual("武定县猫街镇老李肉铺", "李德富", 7, "武定县猫街镇农贸市场12号摊位", "13800001007")],
        ("CF-JL-001",),
        summary="农贸市场检查发现电子计价秤未贴强制检定合格标志。",
        path=(S.VERIFYING,),
    ),
    # --- not filed ---
    CaseSpec(
        "chadian",
        "涉嫌经营超过保质期的食品案",
        LeadSource.COMPLAINT,
        10,
        ("yangf", "lujp"),
        [individual("武定县插甸镇便民超市", "鲁红英", 8, "武定县插甸镇演示街2号", "13800001008")],
        ("CF-SP-005",),
        summary="举报称该超市销售过期饮料。",
        path=(S.VERIFYING, S.NOT_FILED),
        reasons={S.NOT_FILED: "经现场核查，涉事饮料在保质期内，举报反映的问题不属实。"},
    ),
    CaseSpec(
        "bailu",
        "涉嫌无照经营案",
        LeadSource.COMPLAINT,
        14,
        ("sut", "pujz"),
        [person("苏正明", datetime.date(1985, 9, 3), 31, "武定县白路镇演示村2组", "13800001009")],
        ("CF-WZ-001",),
        summary="举报称有人在白路集市无照销售日用品。",
        path=(S.NOT_FILED, S.ARCHIVED),
        reasons={
            S.NOT_FILED: "当事人在县政府指定的集市销售日常生活用品，依据《无证无照经营查处办法》第三条"
            "不属于无照经营，不予立案。"
        },
    ),
    # --- filed and under investigation ---
    CaseSpec(
        "brigade",
        "涉嫌未取得食品经营许可从事食品经营案",
        LeadSource.COMPLAINT,
        8,
        ("officer", "zhuyf"),
        [person("罗小军", datetime.date(1992, 6, 18), 13, "武定县狮山镇演示小区3栋", "13800001010")],
        ("CF-SP-001",),
        summary="外卖平台上的一家“私房菜”无食品经营许可证。",
        path=(S.VERIFYING, S.FILED),
    ),
    CaseSpec(
        "brigade",
        "涉嫌发布虚假广告案",
        LeadSource.REFERRAL,
        12,
        ("officer", "maj"),
        [
            organisation(
                "武定县丽颜医疗美容诊所有限公司", "毕丽娟", 11, "武定县狮山镇演示路9号", "13800001011"
            )
        ],
        ("CF-GG-001", "QZ-GG-001"),
        summary="县卫生健康局移送：宣传“无创祛斑一次根治”。",
        path=_FILED_PATH,
        approved_extension=("decision_ext", 30),
    ),
    CaseSpec(
        "wande",
        "涉嫌销售不合格电线电缆案",
        LeadSource.MONITORING,
        7,
        ("lihy", "qizf"),
        [individual("武定县万德镇兴旺五金店", "起国荣", 12, "武定县万德镇演示街7号", "13800001012")],
        ("CF-CP-001",),
        summary="监督抽查的电线导体电阻不合格，当事人申请复检。",
        path=_FILED_PATH,
        pause=("testing", None, None, "电线样品复检"),
    ),
    CaseSpec(
        "jiyi",
        "涉嫌经营未取得医疗器械注册证的第二类医疗器械案",
        LeadSource.INSPECTION,
        9,
        ("luj", "putm"),
        [organisation("武定县己衣康民大药房有限公司", "普春燕", 13, "武定县己衣镇演示街1号", "13800001013")],
        ("CF-YL-001",),
        summary="检查发现店内销售无注册证的医用冷敷贴。",
        path=_FILED_PATH,
    ),
    CaseSpec(
        "brigade",
        "涉嫌经营过期医疗器械案",
        LeadSource.INSPECTION,
        10,
        ("zhoum", "zhuyf"),
        [individual("武定县仁心药店", "周仁和", 14, "武定县狮山镇演示街40号", "13800001014")],
        ("CF-YL-002",),
        summary="检查发现货架上有过期的一次性使用无菌注射器。",
        path=(*_FILED_PATH, S.INVESTIGATION_CONCLUDED),
    ),
    CaseSpec(
        "chadian",
        "涉嫌未在首页显著位置公示营业执照信息案",
        LeadSource.MONITORING,
        11,
        ("yangf", "lujp"),
        [individual("武定县插甸镇山货网店", "杨正林", 15, "武定县插甸镇演示村8组", "13800001015")],
        ("CF-DS-001",),
        summary="网络交易监测发现该网店首页未公示营业执照信息。",
        path=(*_FILED_PATH, S.INVESTIGATION_CONCLUDED),
    ),
    CaseSpec(
        "huanzhou",
        "涉嫌经营标签不符合规定的预包装食品案",
        LeadSource.INSPECTION,
        11,
        ("shixl", "zhangyg"),
        [individual("武定县环州乡百货店", "张秀英", 16, "武定县环州乡集镇演示街4号", "13800001016")],
        ("CF-SP-006",),
        summary="检查发现散装称重食品分装后无标签。",
        path=_TO_NOTIFIED,
    ),
    CaseSpec(
        "brigade",
        "涉嫌销售不合格燃气灶具案",
        LeadSource.MONITORING,
        12,
        ("sunh", "maj"),
        [organisation("武定县旺福厨具有限公司", "孙旺福", 17, "武定县狮山镇演示路120号", "13800001017")],
        ("CF-CP-001",),
        summary="抽查的家用燃气灶熄火保护装置不合格。",
        path=_TO_STATEMENT,
        reasons={S.STATEMENT: "当事人收到告知书后申请听证。"},
        pause=("hearing", None, None, "当事人申请听证，听证期间不计入办案期限"),
    ),
    # --- review, discussion, decision ---
    CaseSpec(
        "brigade",
        "涉嫌使用未经检验的电梯案",
        LeadSource.INSPECTION,
        12,
        ("maj", "sunh"),
        [organisation("武定县金狮大酒店有限公司", "王金狮", 18, "武定县狮山镇演示路1号", "13800001018")],
        ("CF-TZ-002", "QZ-TZ-001"),
        summary="检查发现酒店两台乘客电梯超过定期检验日期仍在使用。",
        path=(*_TO_STATEMENT, S.LEGAL_REVIEW),
        reviewer_sees=True,
    ),
    CaseSpec(
        "brigade",
        "涉嫌销售劣药案",
        LeadSource.MONITORING,
        13,
        ("officer", "zhuyf"),
        [organisation("武定县福康医药连锁有限公司", "马福康", 19, "武定县狮山镇演示路35号", "13800001019")],
        ("CF-YP-003", "QZ-YP-001"),
        summary="药品抽检发现一批板蓝根颗粒含量测定不符合规定。",
        path=(*_TO_STATEMENT, S.LEGAL_REVIEW, S.COLLECTIVE),
        reviewer_sees=True,
    ),
    CaseSpec(
        "shishan",
        "涉嫌价格欺诈案",
        LeadSource.COMPLAINT,
        9,
        ("biy", "lij"),
        [individual("武定县狮山镇好运家电商行", "毕好运", 20, "武定县狮山镇演示街55号", "13800001020")],
        ("CF-JG-002",),
        summary="消费者投诉“原价”虚构、先提价后打折。",
        path=(*_TO_STATEMENT, S.DECIDED),
    ),
    # --- served, executed, closed ---
    CaseSpec(
        "brigade",
        "涉嫌经营超过保质期的食品案",
        LeadSource.INSPECTION,
        14,
        ("officer", "zhoum"),
        [organisation("武定县万家福超市有限公司", "李万福", 21, "武定县狮山镇演示路88号", "13800001021")],
        ("CF-SP-005", "QZ-SP-001"),
        summary="检查发现货架上有超过保质期的酸奶12盒。",
        path=(*_TO_STATEMENT, S.LEGAL_REVIEW, S.DECIDED, S.SERVED),
        pending=("closing", "bureau_head"),
        reasons={S.LEGAL_REVIEW: "拟对单位处以较大数额罚款，提交法制审核。"},
    ),
    CaseSpec(
        "fawo",
        "涉嫌经营无标签的预包装食品案",
        LeadSource.INSPECTION,
        10,
        ("lixy", "bizg"),
        [person("毕小龙", 16, 41, "武定县发窝乡演示村1组", "13800001022", minor=True)],
        ("CF-SP-006",),
        summary="集市检查发现一名未成年人销售无标签的自制糕点。",
        path=(*_TO_STATEMENT, S.DECIDED, S.SERVED),
        reasons={
            S.DECIDED: "当事人系已满十四周岁不满十八周岁的未成年人，依法从轻处罚（行政处罚法 第三十条）。"
        },
    ),
    CaseSpec(
        "gaoqiao",
        "涉嫌未办理特种设备使用登记案",
        LeadSource.INSPECTION,
        13,
        ("yangcy", "zhangh"),
        [organisation("武定县高桥建材有限公司", "自国强", 23, "武定县高桥镇演示工业片区", "13800001023")],
        ("CF-TZ-001",),
        summary="检查发现厂内叉车未办理使用登记即投入使用。",
        path=(*_TO_STATEMENT, S.DECIDED, S.SERVED, S.EXECUTING),
        reasons={S.EXECUTING: "经批准，当事人分期缴纳罚款。"},
    ),
    CaseSpec(
        "brigade",
        "涉嫌销售不合格电动自行车头盔案",
        LeadSource.MONITORING,
        14,
        ("maj", "sunh"),
        [individual("武定县安骑电动车行", "马安骑", 24, "武定县狮山镇演示街77号", "13800001024")],
        ("CF-CP-001",),
        summary="抽检的电动自行车乘员头盔冲击吸收性能不合格。",
        path=(*_TO_STATEMENT, S.DECIDED, S.SERVED, S.CLOSED),
    ),
    CaseSpec(
        "brigade",
        "涉嫌不明码标价案",
        LeadSource.INSPECTION,
        15,
        ("zhoum", "zhuyf"),
        [individual("武定县狮山镇味美餐馆", "周味美", 25, "武定县狮山镇演示街91号", "13800001025")],
        ("CF-JG-001",),
        summary="检查发现餐馆菜单未标明价格。",
        path=(*_TO_STATEMENT, S.DECIDED, S.SERVED, S.CLOSED, S.ARCHIVED),
    ),
    # An ordinary case with a hearing, carried to an archived, complete case file: the party asks for a
    # hearing after the 告知, the hearing is held, reviewed after it (第五十八条、第六十五条), decided, served,
    # closed and archived — each step on its own day over three months.
    CaseSpec(
        "brigade",
        "涉嫌生产经营标签不符合规定的预包装食品案",
        LeadSource.MONITORING,
        62,
        ("officer", "zhoum"),
        [organisation("武定县滇中食品有限公司", "杨滇中", 61, "武定县狮山镇演示工业园12号", "13800001061")],
        ("CF-SP-005",),
        summary="监督抽检发现该公司生产的糕点标签未标注生产日期和保质期，已销售至多家超市。",
        path=(*_TO_STATEMENT, S.LEGAL_REVIEW, S.DECIDED, S.SERVED, S.CLOSED, S.ARCHIVED),
        hearing=True,
        reasons={S.LEGAL_REVIEW: "拟对单位处以较大数额罚款，当事人已经听证，提交法制审核。"},
    ),
    # 不予行政处罚 (行政处罚法 第三十三条第一款): decided on the investigation report, served and closed; its file
    # waits for the records keeper's 组卷.
    CaseSpec(
        "brigade",
        "涉嫌销售标签瑕疵食品案",
        LeadSource.INSPECTION,
        50,
        ("zhoum", "zhuyf"),
        [individual("武定县狮山镇惠家副食店", "惠春梅", 62, "武定县狮山镇演示街102号", "13800001062")],
        ("CF-SP-006",),
        summary="检查发现店内少量预包装食品标签字体高度不符合要求，不影响食品安全，当事人当场改正。",
        path=(*_FILED_PATH, S.INVESTIGATION_CONCLUDED, S.DECIDED, S.SERVED, S.CLOSED),
        no_penalty=True,
        reasons={
            S.DECIDED: "当事人初次违法，危害后果轻微并及时改正，依法不予行政处罚（行政处罚法 第三十三条第一款）。"
        },
    ),
    # --- suspended, terminated, transferred ---
    CaseSpec(
        "dongpo",
        "涉嫌伪造产品产地案",
        LeadSource.COMPLAINT,
        11,
        ("zihy", "luor"),
        [individual("武定县东坡乡土特产店", "罗成林", 26, "武定县东坡傈僳族乡集镇演示街6号", "13800001026")],
        ("CF-CP-005",),
        summary="举报称该店将外地核桃标注为本地产地销售。",
        path=(*_FILED_PATH, S.SUSPENDED),
        reasons={S.SUSPENDED: "当事人外出务工下落不明，案件暂时无法继续调查，依法中止。"},
    ),
    CaseSpec(
        "tianxin",
        "涉嫌销售变质食品案",
        LeadSource.COMPLAINT,
        12,
        ("yangl", "zhoudc"),
        [person("周有才", datetime.date(1951, 2, 7), 17, "武定县田心乡演示村3组", "13800001027")],
        ("CF-SP-004",),
        summary="举报称有人在集市销售霉变的腊肉。",
        path=(*_FILED_PATH, S.TERMINATED),
        reasons={S.TERMINATED: "当事人已死亡，依法终止调查。"},
    ),
    CaseSpec(
        "brigade",
        "涉嫌销售假药案",
        LeadSource.COMPLAINT,
        12,
        ("officer", "maj"),
        [person("马有财", datetime.date(1980, 11, 23), 33, "武定县狮山镇演示村7组", "13800001028")],
        ("CF-YP-002",),
        summary="举报称有人在集市销售自制“风湿药酒”并宣称可治疗风湿。",
        path=(*_FILED_PATH, S.TRANSFERRED),
        reasons={S.TRANSFERRED: "涉案药品经检验认定为假药，涉嫌构成销售假药罪，移送武定县公安局。"},
    ),
    # --- 简易程序 (行政处罚法 第五十一条: a warning, or ≤200 元 for a person, ≤3000 元 for an organisation) ---
    CaseSpec(
        "shishan",
        "涉嫌未将营业执照置于醒目位置案",
        LeadSource.INSPECTION,
        0,
        ("biy", "shigq"),
        [individual("武定县狮山镇小李理发店", "李小军", 29, "武定县狮山镇演示街12号", "13800001029")],
        ("CF-DJ-005",),
        procedure=Procedure.SIMPLE,
        summary="经责令改正拒不改正，当场处以罚款100元，当事人十五日内到银行缴纳。",
        on_spot={"facts": _LICENCE_FACTS, "fine_amount": "100.00", "payment": "bank"},
    ),
    CaseSpec(
        "maojie",
        "涉嫌不明码标价案",
        LeadSource.INSPECTION,
        2,
        ("maohm", "ligh"),
        [individual("武定县猫街镇鲜果摊", "毛国珍", 30, "武定县猫街镇农贸市场3号摊位", "13800001030")],
        ("CF-JG-001",),
        procedure=Procedure.SIMPLE,
        path=(S.SERVED,),
        summary="当场处以罚款100元，当场收缴（行政处罚法 第六十八条第（一）项）。",
        on_spot={
            "facts": _PRICE_FACTS.format(n=6),
            "fine_amount": "100.00",
            "payment": "on_spot_small",
            "receipt_number": "云财罚票No.53230001",
        },
    ),
    CaseSpec(
        "gaoqiao",
        "涉嫌不按规定明码标价案",
        LeadSource.INSPECTION,
        3,
        ("zhangh", "yangcy"),
        [organisation("武定县高桥加油站有限公司", "杨加林", 31, "武定县高桥镇演示路2号", "13800001031")],
        ("CF-JG-001",),
        procedure=Procedure.SIMPLE,
        path=(S.SERVED, S.EXECUTING),
        summary="当场处以罚款2000元，当事人十五日内到银行缴纳。",
        on_spot={"facts": _PRICE_FACTS.format(n=3), "fine_amount": "2000.00", "payment": "bank"},
    ),
    CaseSpec(
        "brigade",
        "涉嫌未将营业执照置于醒目位置案",
        LeadSource.INSPECTION,
        6,
        ("officer", "zhoum"),
        [individual("武定县狮山镇川味小吃店", "刘川", 32, "武定县狮山镇演示街60号", "13800001032")],
        ("CF-DJ-005",),
        procedure=Procedure.SIMPLE,
        path=(S.SERVED, S.REPORTED),
        summary="经责令改正拒不改正，当场处以罚款200元，当事人十五日内到银行缴纳。",
        on_spot={"facts": _LICENCE_FACTS, "fine_amount": "200.00", "payment": "bank"},
    ),
    CaseSpec(
        "bailu",
        "涉嫌不明码标价案",
        LeadSource.INSPECTION,
        20,
        ("sut", "pujz"),
        [individual("武定县白路镇农资店", "苏德胜", 33, "武定县白路镇演示街9号", "13800001033")],
        ("CF-JG-001",),
        procedure=Procedure.SIMPLE,
        path=(S.SERVED, S.EXECUTING, S.REPORTED, S.ARCHIVED),
        summary="当场处以罚款200元，当事人十五日内到银行缴纳。",
        on_spot={"facts": _PRICE_FACTS.format(n=4), "fine_amount": "200.00", "payment": "bank"},
    ),
]

# Default wording of each transition's reason (a case may override it).
REASONS = {
    S.VERIFYING: "对线索进行核查。",
    S.INVESTIGATING: "立案后开展调查取证。",
    S.INVESTIGATION_CONCLUDED: "调查终结，提交案件审核。",
    S.NOTIFIED: "向当事人送达行政处罚告知书。",
    S.STATEMENT: "当事人在期限内提出陈述、申辩。",
    S.LEGAL_REVIEW: "拟作出较大数额罚款，提交法制审核。",
    S.COLLECTIVE: "案情复杂，提请局负责人集体讨论。",
    S.DECIDED: "作出行政处罚决定。",
    S.SERVED: "行政处罚决定书直接送达当事人。",
    S.EXECUTING: "当事人在规定期限内履行处罚决定。",
    S.ARCHIVED: "案卷材料整理完毕，移交档案管理员归档。",
    S.REPORTED: "简易程序处罚决定报所属行政机关备案。",
}
APPROVAL_REASONS = {
    "filing": "经核查，有证据初步证明当事人存在违法行为，属于本局管辖，符合立案条件。",
    "not_filing": "经核查，违法事实不能成立，不予立案。",
    "closing": "行政处罚决定已执行完毕，符合结案条件。",
    "filing_ext": "样品送检尚未出具检验结论，申请延长立案核查期限。",
    "decision_ext": "涉案广告涉及多个平台，证据调取耗时，申请延长办案期限。",
}
