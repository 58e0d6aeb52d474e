"""Investigation records: 现场笔录, 询问通知书, 询问笔录, 证据提取单, 抽样记录, 检测鉴定委托书 ..."""

from django import forms

from ..forms_common import datetime_field, line_field, text_field
from .base import DocumentType, register


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
        start, end = cleaned.get("started_at"), cleaned.get("ended_at")
        if start and end and end <= start:
            self.add_error("ended_at", "结束时间应晚于开始时间。")
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
