"""Investigation records: 现场笔录, 询问通知书, 询问笔录, 证据提取单, 抽样记录, 检测鉴定委托书,
检测检验鉴定期间告知书.

Records of investigative acts (笔录, 证据提取, 抽样) are acts: at least two officers with certificates valid
on the act's date (行政处罚法 第四十二条), and audio-video "as circumstances require" (调查取证) or a written
reason why the text records the act fully.
"""

from django import forms
from django.utils import timezone

from wuding_enforcement.cases.models import IdType
from wuding_enforcement.shared.forms import (
    Column,
    QAField,
    RowsField,
    date_field,
    datetime_field,
    line_field,
    resident_id_problem,
    text_field,
)

from ..gates import register_document_gate
from .base import DocumentType, register
from .filing import case_officer_choices


def _check_period(form, start_name, end_name, message="结束时间应晚于开始时间。"):
    start, end = form.cleaned_data.get(start_name), form.cleaned_data.get(end_name)
    if start and end and end <= start:
        form.add_error(end_name, message)


class OnSiteRecordForm(forms.Form):
    """现场笔录: who, when, where, what was found; the party's identity and presence."""

    started_at = datetime_field("检查开始时间")
    ended_at = datetime_field("检查结束时间")
    place = line_field("检查地点")
    present_person = line_field("现场负责人/在场人", help_text="姓名及与当事人的关系，如：张某（店长）")
    certificates_shown = forms.BooleanField(label="执法人员已出示执法证件并告知权利义务", required=True)
    av_recorded = forms.BooleanField(
        label="已进行音像记录（如未进行，请在“未录音录像的理由”中说明）", required=False
    )
    findings = text_field("现场情况", rows=8, help_text="客观记录现场检查发现的情况")
    measures = text_field("现场采取的措施", required=False, rows=3)

    def clean(self):
        cleaned = super().clean()
        _check_period(self, "started_at", "ended_at")
        return cleaned


@register
class OnSiteRecord(DocumentType):
    key = "onsite_record"
    title = "现场笔录"
    form_class = OnSiteRecordForm
    act = True
    av = "as_needed"

    def summary(self, data):
        return f"{data.get('place', '')}：{(data.get('findings') or '')[:40]}"


class InquiryNoticeForm(forms.Form):
    """询问通知书: when and where the party (or a person concerned) comes to be questioned, about what, and
    which materials to bring."""

    attend_at = datetime_field("接受询问时间", future_ok=True)
    attend_place = line_field("接受询问地点")
    matter = text_field("询问事项", rows=3, max_length=2000, help_text="如：你单位涉嫌销售超过保质期食品一案")
    materials = text_field(
        "需携带的材料",
        rows=4,
        required=False,
        max_length=2000,
        help_text="如：营业执照副本、法定代表人身份证明、授权委托书、进货票据",
    )
    contact_person = line_field("联系人", max_length=50)
    contact_phone = line_field("联系电话", max_length=40)

    def clean_attend_at(self):
        value = self.cleaned_data["attend_at"]
        if value <= timezone.now():
            raise forms.ValidationError("接受询问时间应晚于现在（通知书须在询问之前送达）。")
        return value


@register
class InquiryNotice(DocumentType):
    key = "inquiry_notice"
    title = "询问通知书"
    form_class = InquiryNoticeForm
    number_word = "询通"
    to_party = True

    def summary(self, data):
        return f"{data.get('attend_place', '')}"


RELATIONS = [
    ("party", "当事人本人"),
    ("legal_representative", "法定代表人（负责人）"),
    ("employee", "当事人的工作人员"),
    ("agent", "委托代理人"),
    ("witness", "证人"),
    ("other", "其他有关人员"),
]


class InquiryRecordForm(forms.Form):
    """询问笔录: time and place, the interviewee and their identity, the interviewer and the recorder (two of
    the officers present), the rights notice, then the questions and answers."""

    takes_case = True

    started_at = datetime_field("询问开始时间")
    ended_at = datetime_field("询问结束时间")
    place = line_field("询问地点")
    interviewee_name = line_field("被询问人姓名", max_length=50)
    interviewee_gender = forms.ChoiceField(label="性别", choices=[("男", "男"), ("女", "女")])
    interviewee_id_type = forms.ChoiceField(
        label="证件类型", choices=IdType.choices, initial=IdType.RESIDENT_ID
    )
    interviewee_id_number = line_field("证件号码", max_length=40)
    interviewee_phone = line_field("联系电话", required=False, max_length=40)
    interviewee_employer = line_field("工作单位及职务", required=False, max_length=100)
    interviewee_address = line_field("住址", required=False, max_length=200)
    relation = forms.ChoiceField(label="与当事人关系", choices=RELATIONS)
    interviewer = forms.TypedChoiceField(label="询问人", coerce=int, choices=())
    recorder = forms.TypedChoiceField(label="记录人", coerce=int, choices=())
    rights_notice = forms.BooleanField(
        label="已出示执法证件，告知被询问人应当如实回答、有申请执法人员回避的权利", required=True
    )
    qa = QAField(label="询问内容")

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        officers = case_officer_choices(case)
        self.fields["interviewer"].choices = [("", "请选择")] + officers
        self.fields["recorder"].choices = [("", "请选择")] + officers

    def clean(self):
        cleaned = super().clean()
        _check_period(self, "started_at", "ended_at")
        if cleaned.get("interviewer") and cleaned.get("interviewer") == cleaned.get("recorder"):
            self.add_error("recorder", "询问人和记录人应为两名不同的执法人员。")
        if cleaned.get("interviewee_id_type") == IdType.RESIDENT_ID and cleaned.get("interviewee_id_number"):
            problem = resident_id_problem(cleaned["interviewee_id_number"])
            if problem:
                self.add_error("interviewee_id_number", problem)
            else:
                cleaned["interviewee_id_number"] = cleaned["interviewee_id_number"].strip().upper()
        return cleaned


def inquiry_officers_present(document, user):
    """The interviewer and the recorder are two of the officers the record names as present."""
    present = set(document.officers.values_list("pk", flat=True))
    data = document.data or {}
    for key, label in (("interviewer", "询问人"), ("recorder", "记录人")):
        if data.get(key) and data[key] not in present:
            yield f"{label}须是本笔录记录的在场执法人员之一。"


@register
class InquiryRecord(DocumentType):
    key = "inquiry_record"
    title = "询问笔录"
    form_class = InquiryRecordForm
    act = True
    av = "as_needed"

    def initial(self, case):
        officers = case_officer_choices(case)
        return {
            "interviewer": officers[0][0] if officers else None,
            "recorder": officers[1][0] if len(officers) > 1 else None,
            "qa": "问：我们是武定县市场监督管理局的执法人员（出示执法证件），现依法向你进行询问调查，"
            "你应当如实回答，如有虚假，须承担相应的法律责任。你是否看清了我们的执法证件？\n答：",
        }

    def summary(self, data):
        return f"被询问人：{data.get('interviewee_name', '')}，{len(data.get('qa') or [])}问"

    def context(self, document):
        from wuding_enforcement.roster.models import Staff

        data = document.data or {}
        staff = {
            s.pk: s for s in Staff.objects.filter(pk__in=[data.get("interviewer"), data.get("recorder")])
        }
        return {
            "interviewer": staff.get(data.get("interviewer")),
            "recorder": staff.get(data.get("recorder")),
        }


EXTRACTION_COLUMNS = [
    Column("name", "证据名称", max_length=100),
    Column("quantity", "数量", max_length=30),
    Column("source", "来源（出处）", max_length=100),
    Column("method", "提取方式", required=False, max_length=50),
]


class EvidenceExtractionForm(forms.Form):
    """证据提取单: what was taken, how much, from where, and who provided it."""

    extracted_at = datetime_field("提取时间")
    place = line_field("提取地点")
    provider = line_field("证据提供人（单位）", max_length=100)
    items = RowsField(EXTRACTION_COLUMNS, label="提取的证据")
    note = text_field("说明", rows=2, required=False, max_length=2000, help_text="如：复印件与原件核对一致")


@register
class EvidenceExtraction(DocumentType):
    key = "evidence_extraction"
    title = "证据提取单"
    form_class = EvidenceExtractionForm
    act = True
    av = "as_needed"

    def initial(self, case):
        return {"note": "以上证据经提供人核对，复印件与原件一致。"}

    def summary(self, data):
        return f"{data.get('provider', '')}提供证据{len(data.get('items') or [])}项"


class SamplingRecordForm(forms.Form):
    """抽样记录: what was sampled, from how much, how many samples, and how they were sealed."""

    sampled_at = datetime_field("抽样时间")
    place = line_field("抽样地点")
    product = line_field("样品名称", max_length=100)
    brand = line_field("商标/品牌", required=False, max_length=100)
    specification = line_field("规格型号", max_length=100)
    batch = line_field("生产日期/批号", max_length=100)
    manufacturer = line_field("标称生产者", required=False, max_length=200)
    base_quantity = line_field("抽样基数", max_length=50, help_text="含计量单位，如：120袋")
    sample_quantity = line_field("抽样数量", max_length=50, help_text="含计量单位，如：6袋")
    backup_quantity = line_field("备样数量", required=False, max_length=50)
    method = text_field("抽样方法", rows=2, required=False, max_length=2000)
    sealing = text_field(
        "封样情况", rows=3, max_length=2000, help_text="如：样品现场封存，封条编号、封存人，双方签字确认"
    )
    storage = line_field("样品保存条件", required=False, max_length=100)


@register
class SamplingRecord(DocumentType):
    key = "sampling_record"
    title = "抽样记录"
    form_class = SamplingRecordForm
    act = True
    av = "as_needed"

    def summary(self, data):
        return f"{data.get('product', '')}，抽样{data.get('sample_quantity', '')}"


TESTING_COLUMNS = [
    Column("name", "样品名称", max_length=100),
    Column("spec", "规格型号", required=False, max_length=100),
    Column("quantity", "数量", max_length=30),
    Column("items", "检测（鉴定）项目", max_length=200),
]


class TestingCommissionForm(forms.Form):
    """检测鉴定委托书: to the testing institution — the samples, the items to test, the requirements."""

    institution = line_field("受委托机构", max_length=100)
    samples = RowsField(TESTING_COLUMNS, label="委托检测（鉴定）的样品")
    basis = text_field("检测（鉴定）依据", rows=2, required=False, max_length=2000, help_text="标准或方法")
    requirements = text_field("检测（鉴定）要求", rows=3, max_length=2000)
    due_on = date_field("要求完成日期", required=False, future_ok=True)
    contact_person = line_field("联系人", max_length=50)
    contact_phone = line_field("联系电话", max_length=40)

    def clean_due_on(self):
        due = self.cleaned_data.get("due_on")
        if due and due < timezone.localdate():
            raise forms.ValidationError("要求完成日期不能早于今天。")
        return due


@register
class TestingCommission(DocumentType):
    key = "testing_commission"
    title = "检测鉴定委托书"
    form_class = TestingCommissionForm
    number_word = "检委"

    def summary(self, data):
        return f"委托{data.get('institution', '')}"


class TestingPeriodNoticeForm(forms.Form):
    """检测检验鉴定期间告知书: tells the party that the testing period is not counted in the case's time limit
    (《市场监督管理行政处罚程序规定》第六十四条)."""

    institution = line_field("检测（检验、检疫、鉴定）机构", max_length=100)
    matter = text_field("检测（检验、检疫、鉴定）事项", rows=3, max_length=2000)
    start_on = date_field("期间起始日期")
    expected_end_on = date_field("预计结束日期", future_ok=True)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_on"), cleaned.get("expected_end_on")
        if start and end and end < start:
            self.add_error("expected_end_on", "预计结束日期不能早于期间起始日期。")
        return cleaned


@register
class TestingPeriodNotice(DocumentType):
    key = "testing_period_notice"
    title = "检测检验鉴定期间告知书"
    form_class = TestingPeriodNoticeForm
    number_word = "期告"
    to_party = True

    def summary(self, data):
        return f"{data.get('institution', '')}：{data.get('start_on', '')}起"


register_document_gate(
    inquiry_officers_present, doc_types=["inquiry_record"], name="recording.inquiry_officers_present"
)
