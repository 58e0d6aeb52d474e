"""The documents of an inspection, registered as recording document types (司法部《行政检查文书基本格式文本
（试行）》): 行政检查审批表, 行政检查通知书, 现场检查笔录. Recording's own gates apply to them as to any document
(two certified officers present and audio-video or a reason for its absence on the 笔录; the party named on
the notice); the gates below add what is particular to inspection.

Imported from InspectionConfig.ready() (registering into recording's registry, as recording's own modules do).
"""

from django import forms

from recording.doctypes.base import DocumentType, register
from recording.gates import register_document_gate
from wuding_enforcement.cases.workflow import Procedure, Stage
from wuding_enforcement.shared.forms import datetime_field, line_field, text_field

GROUP = "行政检查"
ALL_STAGES = frozenset(
    {Stage.INSPECTION_APPROVED, Stage.INSPECTION_NOTIFIED, Stage.INSPECTED, Stage.INSPECTION_RESULT}
)
CHECK_RESULTS = [("ok", "符合"), ("fail", "不符合"), ("na", "不适用")]


def inspection_of(case):
    if case is None or case.pk is None or case.procedure != Procedure.INSPECTION:
        return None
    from .models import Inspection

    return Inspection.objects.select_related("item", "entity", "unit").filter(case=case).first()


class InspectionDocument(DocumentType):
    group = GROUP

    @property
    def template(self) -> str:
        return f"inspection/documents/{self.key}.html"

    def context(self, document):
        from .codes import grouped, qr_for, url_for
        from .models import InspectionSettings

        inspection = inspection_of(document.case)
        if inspection is None:
            return {"inspection": None}
        return {
            "inspection": inspection,
            "code_grouped": grouped(inspection.code) if inspection.code else "",
            "code_url": url_for(inspection.code) if inspection.code else "",
            "code_qr": qr_for(inspection.code) if inspection.code else "",
            "year_count": inspection.entity.inspections.counted().in_year(inspection.planned_on.year).count(),
            "discipline": InspectionSettings.current().discipline,
        }


# --- 行政检查审批表 ---------------------------------------------------------------------------------------


class ApprovalFormForm(forms.Form):
    takes_case = True

    reason = text_field("检查事由", rows=3, max_length=2000)
    basis = text_field("检查依据", rows=2, max_length=2000)
    scope = text_field("检查内容和范围", rows=3, max_length=2000)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)


@register
class InspectionApprovalForm(InspectionDocument):
    """The paper form of the inspection's approval: issued once the bureau head has decided, it prints the
    decision (who, when, opinion) recorded on the Inspection."""

    key = "inspection_approval"
    title = "行政检查审批表"
    form_class = ApprovalFormForm
    volume = "sub"
    stages = ALL_STAGES

    def initial(self, case):
        inspection = inspection_of(case)
        if inspection is None:
            return {}
        return {
            "reason": inspection.reason,
            "basis": inspection.item.basis,
            "scope": f"{inspection.item.item}（{inspection.item.target}）",
        }

    def summary(self, data):
        return (data.get("reason") or "")[:40]


# --- 行政检查通知书 ---------------------------------------------------------------------------------------


class NoticeForm(forms.Form):
    takes_case = True

    inspect_at = datetime_field("检查时间", future_ok=True)
    place = line_field("检查地点")
    basis = text_field("检查依据", rows=2, max_length=2000)
    content = text_field("检查内容", rows=4, max_length=4000)
    materials = text_field("需配合准备的材料", rows=2, required=False, max_length=2000)
    contact = line_field("联系人及电话", max_length=100)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)


@register
class InspectionNotice(InspectionDocument):
    """行政检查通知书 (必通知): the basis, the content, the officers, this year's count for the enterprise, the
    五个严禁/八个不得, the right to ask for 回避, and the 检查码. Served at the latest on arrival."""

    key = "inspection_notice"
    title = "行政检查通知书"
    form_class = NoticeForm
    number_word = "检通"
    to_party = True
    stages = frozenset({Stage.INSPECTION_APPROVED, Stage.INSPECTION_NOTIFIED})

    def initial(self, case):
        inspection = inspection_of(case)
        if inspection is None:
            return {}
        entries = [e.text for e in inspection.item.checklist.filter(is_active=True)]
        return {
            "place": inspection.entity.address,
            "basis": inspection.item.basis,
            "content": f"{inspection.item.item}：" + "；".join(entries) if entries else inspection.item.item,
            "contact": f"{inspection.unit.name} {inspection.unit.phone}".strip(),
        }

    def summary(self, data):
        return f"{data.get('place', '')}"


# --- 现场检查笔录 -----------------------------------------------------------------------------------------


class RecordForm(forms.Form):
    """现场检查笔录 against the item's 检查表单: a result (符合/不符合/不适用) and a note for every active line."""

    takes_case = True

    started_at = datetime_field("检查开始时间")
    ended_at = datetime_field("检查结束时间")
    place = line_field("检查地点")
    present_person = line_field("被检查单位在场人员", help_text="姓名及职务，如：张某（店长）")
    certificates_shown = forms.BooleanField(
        label="执法人员已出示执法证件和检查码，告知检查依据和申请回避的权利", required=True
    )
    findings = text_field("现场检查情况", rows=5)
    problems = text_field("发现的问题", rows=3, required=False, help_text="未发现问题的不填")

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        inspection = inspection_of(case)
        self.entries = list(inspection.item.checklist.filter(is_active=True)) if inspection else []
        for entry in self.entries:
            self.fields[f"check_{entry.pk}"] = forms.ChoiceField(
                label=f"{entry.order}. {entry.text}",
                choices=CHECK_RESULTS,
                widget=forms.RadioSelect,
                help_text=entry.standard,
            )
            self.fields[f"note_{entry.pk}"] = forms.CharField(
                label=f"{entry.order}. 说明", required=False, max_length=500
            )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("started_at"), cleaned.get("ended_at")
        if start and end and end <= start:
            self.add_error("ended_at", "结束时间应晚于开始时间。")
        failed = []
        rows = []
        for entry in self.entries:
            result = cleaned.get(f"check_{entry.pk}")
            note = (cleaned.get(f"note_{entry.pk}") or "").strip()
            if result == "fail":
                failed.append(entry)
                if not note:
                    self.add_error(f"note_{entry.pk}", "不符合的，请说明具体情况。")
            rows.append({"text": entry.text, "standard": entry.standard, "result": result, "note": note})
        if failed and not (cleaned.get("problems") or "").strip():
            self.add_error("problems", "检查表单有不符合项，请填写发现的问题。")
        cleaned["checklist"] = rows
        return cleaned


@register
class InspectionRecord(InspectionDocument):
    key = "inspection_record"
    title = "现场检查笔录"
    form_class = RecordForm
    act = True
    av = "as_needed"
    stages = frozenset({Stage.INSPECTION_NOTIFIED, Stage.INSPECTED})

    def initial(self, case):
        inspection = inspection_of(case)
        return {"place": inspection.entity.address} if inspection else {}

    def summary(self, data):
        rows = data.get("checklist") or []
        failed = sum(1 for r in rows if r.get("result") == "fail")
        return f"检查表单{len(rows)}项，不符合{failed}项"

    def context(self, document):
        labels = dict(CHECK_RESULTS)
        rows = [
            {**r, "label": labels.get(r.get("result"), "")}
            for r in (document.data or {}).get("checklist", [])
        ]
        return {**super().context(document), "checklist": rows}


# --- gates ------------------------------------------------------------------------------------------------

INSPECTION_TYPES = ["inspection_approval", "inspection_notice", "inspection_record"]


def on_an_inspection(document, user):
    """These documents belong to inspection cases only (a penalty case has its own 现场笔录)."""
    if inspection_of(document.case) is None:
        yield f"“{document.doctype.title}”只能用于行政检查。"


def approval_decided(document, user):
    """The 审批表 is issued once the bureau head has approved (its PDF prints the decision)."""
    from .models import ApprovalState

    inspection = inspection_of(document.case)
    if inspection is not None and inspection.approval != ApprovalState.APPROVED:
        yield "局负责人批准后才能签发行政检查审批表（紧急检查：补办审批后签发）。"


def register_gates():
    register_document_gate(
        on_an_inspection, doc_types=INSPECTION_TYPES, name="inspection.document_on_inspection"
    )
    register_document_gate(
        approval_decided, doc_types=["inspection_approval"], name="inspection.approval_decided"
    )
