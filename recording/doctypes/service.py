"""Service and closing documents: 送达地址确认书, 送达回证, 结案审批表, 涉嫌犯罪案件移送书."""

from decimal import Decimal

from django import forms

from wuding_enforcement.cases.models import Approval, ApprovalKind, OpinionStep
from wuding_enforcement.shared.forms import (
    date_field,
    datetime_field,
    format_yuan,
    line_field,
    text_field,
    yuan_field,
    yuan_in_words,
)

from ..gates import register_document_gate
from .base import register
from .decision import FilledDocumentType

# --- 送达地址确认书 ------------------------------------------------------------------------------------


class AddressConfirmationForm(forms.Form):
    """送达地址确认书: where and how the party agrees to be served (市场监督管理行政处罚程序规定 第八十二条;
    electronic service only with the party's consent, 行政处罚法 第六十一条 第二款)."""

    address = line_field("送达地址")
    postal_code = forms.RegexField(
        label="邮政编码",
        regex=r"^\d{6}$",
        required=False,
        error_messages={"invalid": "邮政编码应为6位数字。"},
    )
    recipient = line_field("收件人", max_length=50)
    phone = forms.RegexField(
        label="联系电话", regex=r"^[0-9+\- ]{7,20}$", error_messages={"invalid": "请填写正确的电话号码。"}
    )
    electronic_consent = forms.BooleanField(label="同意采用电子送达", required=False)
    email = forms.EmailField(label="电子邮箱", required=False)
    fax = line_field("传真号码", required=False, max_length=30)
    confirmed_on = date_field("确认日期")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("electronic_consent") and not (cleaned.get("email") or cleaned.get("fax")):
            self.add_error("email", "同意电子送达的，请填写电子邮箱或传真号码。")
        if not cleaned.get("electronic_consent") and (cleaned.get("email") or cleaned.get("fax")):
            self.add_error("electronic_consent", "填写了电子邮箱或传真的，请确认当事人是否同意电子送达。")
        return cleaned


@register
class AddressConfirmation(FilledDocumentType):
    key = "address_confirmation"
    title = "送达地址确认书"
    form_class = AddressConfirmationForm
    to_party = True

    def initial(self, case):
        party = case.parties.first()
        return {"address": party.address, "phone": party.phone} if party else {}

    def summary(self, data):
        return data.get("address", "")


# --- 送达回证 ------------------------------------------------------------------------------------------


class ServiceMethod:
    DIRECT = "direct"
    LEFT = "left"
    POST = "post"
    ENTRUSTED = "entrusted"
    ELECTRONIC = "electronic"
    ANNOUNCED = "announced"
    CHOICES = [
        (DIRECT, "直接送达"),
        (LEFT, "留置送达"),
        (POST, "邮寄送达"),
        (ENTRUSTED, "委托送达"),
        (ELECTRONIC, "电子送达"),
        (ANNOUNCED, "公告送达"),
    ]
    # Recorded on audio-video "as circumstances require" (docs/domain.md §2).
    AV_AS_NEEDED = {LEFT, ANNOUNCED}


class ServiceReceiptForm(forms.Form):
    """送达回证: which issued document was served on whom, when and how (民事诉讼法 第八十七条 to 第九十五条, applied
    by 行政处罚法 第六十一条). 留置送达 needs the refusal and a witness (民事诉讼法 第八十九条)."""

    takes_case = True

    served_document = forms.TypedChoiceField(label="送达的文书", coerce=int)
    served_at = datetime_field("送达时间")
    method = forms.ChoiceField(label="送达方式", choices=ServiceMethod.CHOICES)
    place = line_field("送达地点", required=False)
    recipient = line_field("签收人", max_length=100, help_text="代收的，写明代收人及与受送达人的关系")
    witness = line_field("见证人", required=False, max_length=100, help_text="留置送达时填写见证人姓名、身份")
    refusal_reason = text_field("拒收情况", rows=2, required=False, max_length=1000)
    postal_tracking = line_field("邮件号码", required=False, max_length=40)
    announcement = text_field("公告情况", rows=2, required=False, max_length=2000, help_text="公告载体、日期")
    notes = text_field("备注", rows=2, required=False, max_length=2000)

    def __init__(self, *args, case=None, **kwargs):
        from ..models import Document

        super().__init__(*args, **kwargs)
        issued = (
            Document.objects.issued()
            .filter(case=case)
            .select_related("party")
            .exclude(doc_type=ServiceReceipt.key)
            .order_by("issued_at", "pk")
            if case is not None
            else Document.objects.none()
        )
        self.served_documents = {doc.pk: doc for doc in issued}
        self.fields["served_document"].choices = [("", "请选择已签发的文书")] + [
            (doc.pk, f"{doc.type_title}（{doc.number or f'卷内第{doc.file_seq}号'}）")
            for doc in self.served_documents.values()
        ]
        self.fields["served_document"].error_messages["invalid_choice"] = "请选择本案已签发的文书。"

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("method")
        if method == ServiceMethod.LEFT:
            if not cleaned.get("witness"):
                self.add_error("witness", "留置送达须有见证人（民事诉讼法 第八十九条）。")
            if not cleaned.get("refusal_reason"):
                self.add_error("refusal_reason", "留置送达须写明受送达人拒收的情况。")
        if method == ServiceMethod.POST and not cleaned.get("postal_tracking"):
            self.add_error("postal_tracking", "邮寄送达请填写邮件号码。")
        if method == ServiceMethod.ANNOUNCED and not cleaned.get("announcement"):
            self.add_error("announcement", "公告送达请写明公告载体和日期。")
        if method in (ServiceMethod.DIRECT, ServiceMethod.LEFT) and not cleaned.get("place"):
            self.add_error("place", "请填写送达地点。")
        document = self.served_documents.get(cleaned.get("served_document"))
        served_at = cleaned.get("served_at")
        if document is not None and served_at is not None and served_at < document.issued_at:
            self.add_error("served_at", "送达时间不能早于该文书的签发时间。")
        if document is not None:
            # The receipt freezes what it says about the served document, as printed on it.
            cleaned["served_document_label"] = f"{document.type_title} {document.number or ''}".strip()
            cleaned["served_party"] = document.party.name if document.party_id else ""
        return cleaned


@register
class ServiceReceipt(FilledDocumentType):
    key = "service_receipt"
    title = "送达回证"
    form_class = ServiceReceiptForm
    # AV "as circumstances require" applies to 留置送达 and 公告送达 only, not to every receipt: the gate
    # below applies it by method (DocumentType.av is per type).
    av = None

    def summary(self, data):
        method = dict(ServiceMethod.CHOICES).get(data.get("method"), "")
        return f"{data.get('served_document_label', '')}：{method}"

    def context(self, document):
        return {
            **super().context(document),
            "method_label": dict(ServiceMethod.CHOICES).get(document.data.get("method"), ""),
        }


@register_document_gate(doc_types=[ServiceReceipt.key], name="recording.service_receipt_av")
def service_receipt_av(document, user):
    """留置送达 and 公告送达 are recorded on audio-video as circumstances require: link AV or say why the text
    records the service fully (docs/domain.md §2)."""
    if document.data.get("method") not in ServiceMethod.AV_AS_NEEDED:
        return
    has_av = document.evidence.filter(voided_at__isnull=True, kind__in=["video", "audio"]).exists()
    if not has_av and not document.av_exemption.strip():
        method = dict(ServiceMethod.CHOICES)[document.data["method"]]
        yield f"{method}请关联音像记录，或在“未录音录像的理由”中说明文字记录足以全面有效记录送达过程的理由。"


# --- 结案审批表 ----------------------------------------------------------------------------------------


EXECUTION_STATUS = [
    ("performed", "当事人已全部履行"),
    ("partly", "当事人部分履行"),
    ("forced", "申请人民法院强制执行"),
    ("other", "其他情形"),
]


class ClosingApprovalForm(forms.Form):
    """结案审批表 (副卷): how the decision was executed (市场监督管理行政处罚程序规定 第七十二条)."""

    decision_ref = line_field("处罚决定书文号", required=False, max_length=60)
    execution_status = forms.ChoiceField(label="执行情况", choices=EXECUTION_STATUS)
    fine_paid = yuan_field("已缴纳罚款", required=False)
    gains_paid = yuan_field("已缴纳没收违法所得", required=False)
    paid_on = date_field("缴纳日期", required=False)
    execution_details = text_field("执行情况说明", rows=4, max_length=5000, required=False)
    handler_opinion = text_field("承办人员结案意见", rows=3, max_length=5000)
    submitted_on = date_field("报批日期")

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("execution_status")
        paid = (cleaned.get("fine_paid") or Decimal("0")) + (cleaned.get("gains_paid") or Decimal("0"))
        if paid and not cleaned.get("paid_on"):
            self.add_error("paid_on", "填写了缴纳金额的，请填写缴纳日期。")
        if cleaned.get("paid_on") and not paid:
            self.add_error("fine_paid", "填写了缴纳日期的，请填写缴纳金额。")
        if status in ("partly", "forced", "other") and not cleaned.get("execution_details"):
            self.add_error("execution_details", "未全部履行的，请说明执行情况。")
        submitted, paid_on = cleaned.get("submitted_on"), cleaned.get("paid_on")
        if submitted and paid_on and paid_on > submitted:
            self.add_error("paid_on", "缴纳日期不能晚于报批日期。")
        return cleaned


@register
class ClosingApproval(FilledDocumentType):
    key = "closing_approval"
    title = "结案审批表"
    form_class = ClosingApprovalForm
    volume = "sub"
    approval_kind = "closing"

    def summary(self, data):
        return dict(EXECUTION_STATUS).get(data.get("execution_status"), "")

    def context(self, document):
        data = document.data
        money = {}
        for name in ("fine_paid", "gains_paid"):
            if data.get(name):
                money[name] = f"{format_yuan(data[name])}元（大写：{yuan_in_words(Decimal(data[name]))}）"
        # The closing approval's opinions as given through the case's Approval (unit head, then bureau head);
        # blank lines to sign on paper where none is given yet.
        approval = (
            Approval.objects.filter(case=document.case, kind=ApprovalKind.CLOSING)
            .prefetch_related("opinions__by")
            .order_by("-requested_at", "-pk")
            .first()
        )
        given = {o.step: o for o in approval.opinions.all()} if approval else {}
        steps = [{"label": label, "opinion": given.get(step)} for step, label in OpinionStep.choices]
        return {
            **super().context(document),
            "status_label": dict(EXECUTION_STATUS).get(data.get("execution_status"), ""),
            "paid": money,
            "opinion_steps": steps,
        }


# --- 涉嫌犯罪案件移送书 --------------------------------------------------------------------------------


TRANSFER_RULE_TEXT = (
    "根据《行政执法机关移送涉嫌犯罪案件的规定》（国务院令第310号）第五条、第八条，行政执法机关正职负责人或者"
    "主持工作的负责人应当自接到移送涉嫌犯罪案件的书面报告之日起3日内作出批准移送或者不批准移送的决定；"
    "决定批准的，应当在24小时内向同级公安机关移送。公安机关应当自接受移送之日起3日内作出立案或者不予立案的决定，"
    "并书面通知移送机关。"
)


class CrimeTransferForm(forms.Form):
    """涉嫌犯罪案件移送书 (行政处罚法 第二十七条; 国务院令第310号): to the public security organ, with the
    facts, the suspected crime and the evidence list."""

    receiving_organ = line_field("接受移送的公安机关", help_text="如：武定县公安局")
    suspect = line_field("涉嫌犯罪的当事人", max_length=200)
    suspected_crime = line_field("涉嫌罪名", max_length=100)
    facts = text_field("涉嫌犯罪的主要事实", rows=8)
    evidence_list = text_field("证据清单", rows=5, help_text="逐项列明移送的证据材料")
    items_list = text_field("涉案物品清单", rows=3, required=False, max_length=5000)
    report_received_on = date_field("负责人接到移送报告日期")
    approved_on = date_field("负责人批准移送日期")
    approved_by = line_field("批准人", max_length=50)
    contact = line_field("联系人及电话")

    def clean(self):
        cleaned = super().clean()
        received, approved = cleaned.get("report_received_on"), cleaned.get("approved_on")
        if received and approved and approved < received:
            self.add_error("approved_on", "批准移送日期不能早于接到报告日期。")
        return cleaned


@register
class CrimeTransfer(FilledDocumentType):
    key = "crime_transfer"
    title = "涉嫌犯罪案件移送书"
    form_class = CrimeTransferForm
    number_word = "移送"

    def summary(self, data):
        return f"移送{data.get('receiving_organ', '')}：涉嫌{data.get('suspected_crime', '')}"

    def context(self, document):
        return {**super().context(document), "transfer_rule_text": TRANSFER_RULE_TEXT}
