"""The dashboard's figures: each one's panel, title, definition (shown on the page) and list columns."""

from dataclasses import dataclass

from wuding_enforcement.cases.deadlines import AMBER_DAYS

from .reminders import CERTIFICATE_WARNING_DAYS

# What the drill-down lists, the filters and the draft notice read of an item's case (Case.number reads both
# numbers; the unit is selected with it): a source that reads many cases may load only these.
CASE_FIELDS = ("lead_number", "case_number", "title", "procedure", "stage", "handling_unit")
# What they read of a person an item is about (display_name, the unit, whether active).
PERSON_FIELDS = ("id", "username", "real_name", "is_active", "unit")

# Acts, review outcomes: how far back the dashboard looks (open work is shown whatever its age).
WINDOW_DAYS = 365

RED, AMBER, INFO = "red", "amber", "info"


@dataclass(frozen=True)
class Figure:
    slug: str
    panel: str
    title: str
    definition: str
    level: str  # RED, AMBER or INFO: the colour of the figure when it is not zero
    # Column headings of the drill-down list.
    subject_label: str = "事项"
    due_label: str = "届满日"
    timing_label: str = "逾期/剩余"
    detail_label: str = "说明"
    has_case: bool = True
    by_officer: bool = True


PANELS = {
    "deadlines": "法定期限",
    "av": "音像记录",
    "publication": "处罚决定公示",
    "inspection": "行政检查",
    "review": "法制审核",
    "certificates": "执法证件",
    "training": "培训学时",
    "notices": "督查通报整改",
}

_FIGURES = [
    Figure(
        "overdue",
        "deadlines",
        "已逾期的期限",
        "在办案件中已过届满日仍未完成的法定期限（立案审查、90日办案期限及查封扣押、送达、公示、法制审核等各系统期限）。",
        RED,
        detail_label="法律依据",
    ),
    Figure(
        "due-soon",
        "deadlines",
        "即将到期的期限",
        f"在办案件中距届满日不超过{AMBER_DAYS}日（按期限自身的工作日或自然日计）且未完成的法定期限。",
        AMBER,
        detail_label="法律依据",
    ),
    Figure(
        "av-missing",
        "av",
        "缺少音像记录",
        "须音像记录的执法活动文书既无有效录像录音、又无（或不得以）文字说明理由的："
        "已签发的（如录像事后被作废），以及在办案件中执法活动已发生而尚未签发的草稿；近一年内的执法活动。",
        RED,
        subject_label="文书",
        due_label="执法活动日期",
        timing_label="状态",
        detail_label="音像记录要求",
    ),
    Figure(
        "av-exempted",
        "av",
        "以文字说明代替音像记录",
        "近一年已签发的现场执法、调查取证、听证、留置送达、公告送达等文书中，未关联录像录音、"
        "以“文字记录足以全面有效记录”说明理由的（查封扣押等须全程音像记录的不得说明理由）。",
        AMBER,
        subject_label="文书",
        due_label="执法活动日期",
        timing_label="状态",
        detail_label="未录音录像的理由",
    ),
    Figure(
        "unpublished",
        "publication",
        "逾期未公示的处罚决定",
        "行政处罚决定书的公示稿已过公示期限（自决定之日起按“办案规则参数”的工作日计，默认7个工作日）仍未发布的。",
        RED,
        subject_label="处罚决定书",
        due_label="公示期限",
    ),
    Figure(
        "withdrawal-overdue",
        "publication",
        "逾期未撤回的公示",
        "处罚决定被复议、诉讼依法撤销、变更、确认违法或无效，或本局自行纠错、上级责令纠正后，"
        "自送达本局之日起3个工作日内应撤回公示（行政处罚法第四十八条），已过期限仍在公示的。",
        RED,
        subject_label="处罚决定书",
        due_label="撤回期限",
        detail_label="变更或撤销情况",
    ),
    Figure(
        "publication-exempt",
        "publication",
        "经批准不予公示",
        "近一年经局负责人批准不予公示的申请（法定理由见申请），供监督复核。",
        INFO,
        subject_label="案件",
        due_label="批准日期",
        timing_label="批准人",
        detail_label="法定理由及说明",
    ),
    Figure(
        "inspection-unpublished",
        "inspection",
        "逾期未公示的检查结果",
        "双随机等计划检查的结果自形成之日（抽样检验的自检验报告出具之日）起20个工作日内应公示"
        "（国发〔2019〕5号），已过期限仍未公示的。",
        RED,
        subject_label="检查任务",
        due_label="公示期限",
        detail_label="检查对象及事项",
    ),
    Figure(
        "inspection-over-cap",
        "inspection",
        "超出频次上限的检查",
        "本年度对同一检查对象、同一检查事项的检查超过公布的年度频次上限、登记了理由的（国办发〔2024〕54号）。",
        AMBER,
        subject_label="检查任务",
        due_label="检查日期",
        timing_label="检查类型",
        detail_label="超出上限的理由",
    ),
    Figure(
        "inspection-repeated",
        "inspection",
        "重复或高频检查",
        "本年度同一检查对象在设定天数内被再次检查的（整改复查除外）。",
        AMBER,
        subject_label="检查任务",
        due_label="检查日期",
        timing_label="前次检查",
        detail_label="检查对象",
    ),
    Figure(
        "inspection-emergency",
        "inspection",
        "紧急检查待补办审批",
        "先行实施、尚未补办审批手续的紧急检查。",
        RED,
        subject_label="检查任务",
        due_label="检查日期",
        detail_label="紧急情况说明",
    ),
    Figure(
        "inspection-complaints",
        "inspection",
        "待处理的投诉和回避申请",
        "企业扫检查码提交、尚未处理的投诉和回避申请（对实施检查的单位匿名，仅监督人员可见）。",
        RED,
        subject_label="检查任务",
        due_label="提交日期",
        timing_label="类型",
        detail_label="内容",
    ),
    Figure(
        "inspection-low-rating",
        "inspection",
        "企业差评（1–2星）",
        "本年度企业扫检查码评价为1星或2星的检查（对实施检查的单位匿名）。",
        INFO,
        subject_label="检查任务",
        due_label="评价日期",
        timing_label="评分",
        detail_label="评价意见",
    ),
    Figure(
        "review-overdue",
        "review",
        "超过审核期限的法制审核",
        "已送审、尚未出具审核意见且已过审核期限（默认10个工作日）的审核轮次。",
        RED,
        subject_label="审核轮次",
        due_label="审核期限",
        detail_label="审核人员",
    ),
    Figure(
        "review-backlog",
        "review",
        "待完成的法制审核",
        "已送审、尚未出具审核意见的全部审核轮次（含待分配审核人员的），逾期的标红。",
        AMBER,
        subject_label="审核轮次",
        due_label="审核期限",
        detail_label="审核人员",
    ),
    Figure(
        "review-returned",
        "review",
        "修改后再报",
        "近一年审核意见为“修改后再报”的轮次、审核发现的问题，以及是否已重新送审。",
        INFO,
        subject_label="审核轮次",
        due_label="审核完成日期",
        timing_label="重新送审",
        detail_label="审核发现的问题",
    ),
    Figure(
        "review-overridden",
        "review",
        "预审发现问题仍认定通过",
        "近一年审核轮次中，系统预审发现问题、审核人员写明理由后仍认定“通过”的审核要点（理由载入法制审核意见书）。",
        INFO,
        subject_label="审核轮次",
        due_label="审核完成日期",
        timing_label="审核结论",
        detail_label="认定通过的要点及理由",
    ),
    Figure(
        "cert-invalid",
        "certificates",
        "无有效证件仍承办在办案件",
        "在办案件的承办人员中，今天没有有效执法证件的（证件过期、暂扣、吊销、注销或未持证）。",
        RED,
        subject_label="人员及证件",
        due_label="有效期至",
        timing_label="证件状态",
        detail_label="",
    ),
    Figure(
        "cert-expiring",
        "certificates",
        "证件即将到期",
        f"在办案件的承办人员中，有效证件将在{CERTIFICATE_WARNING_DAYS}日内到期、且没有更晚到期的有效证件的。",
        AMBER,
        subject_label="人员及证件",
        due_label="有效期至",
        timing_label="剩余",
        detail_label="",
    ),
    Figure(
        "training-behind",
        "training",
        "培训学时不足",
        "本年度参训学时低于其角色年度最低学时的执法人员和法制审核人员（最低学时见管理后台“培训学时要求”）。",
        AMBER,
        subject_label="人员",
        due_label="",
        timing_label="本年度学时",
        detail_label="尚差",
        has_case=False,
    ),
    Figure(
        "notices-overdue",
        "notices",
        "逾期未整改的通报事项",
        "已签发的督查通报中已过整改期限、尚未销号的事项（待整改或已反馈待销号）。",
        RED,
        subject_label="督查通报",
        due_label="整改期限",
        detail_label="存在问题",
        has_case=False,
        by_officer=False,
    ),
]
FIGURES: dict[str, Figure] = {f.slug: f for f in _FIGURES}
