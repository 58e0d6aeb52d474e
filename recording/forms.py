"""Forms of the recording pages: the lead registration (案件来源登记), a document's meta data (who, when,
where, which party, classification), the party's signature or refusal, a correction's reason, and the evidence
upload and void forms.

The forms shape input and give Chinese messages; the rules themselves (who may issue, ≥2 certified officers,
audio-video) are decided by the domain (Case.register_lead, Document.issue and the registered gates).
"""

import hashlib
from itertools import groupby

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from wuding_enforcement.cases.models import LeadSource, Party, PartyKind, PowerItem
from wuding_enforcement.roster.certification import choice_label
from wuding_enforcement.roster.models import Role, Staff, Unit
from wuding_enforcement.shared.chinese import cn_date
from wuding_enforcement.shared.forms import date_field, datetime_field, line_field, text_field

from .models import Classification, Document, PartySignature

MAX_PARTIES = 3
# A photo of a signed paper is a phone picture: a generous cap that still refuses a video sent by mistake.
SIGNED_SCAN_MAX_BYTES = 20 * 1024 * 1024
SIGNED_SCAN_TYPES = ("image/jpeg", "image/png", "image/webp")


# --- Lead registration (案件来源登记) ------------------------------------------------------------------------


class LeadForm(forms.Form):
    title = line_field("案由", help_text="如：涉嫌销售超过保质期的食品案")
    lead_source = forms.ChoiceField(label="案件来源", choices=[("", "请选择")] + list(LeadSource.choices))
    lead_date = date_field("线索收到日期")
    lead_summary = text_field("线索内容", rows=4, required=False, max_length=5000)
    handling_unit = forms.ModelChoiceField(label="承办单位", queryset=Unit.objects.none(), empty_label=None)
    officers = forms.MultipleChoiceField(
        label="承办人员",
        widget=forms.CheckboxSelectMultiple,
        help_text="至少一名；立案时须有两名持有效执法证件的执法人员（行政处罚法 第四十二条）。第一位为主办人。",
        error_messages={"required": "请至少选择一名承办人员。"},
    )
    matters = forms.MultipleChoiceField(
        label="涉及事项（权责清单）",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="按领域分组；可用浏览器的页内查找（Ctrl+F）搜索事项名称。",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Only the bureau's heads register leads for another unit; others register for their own.
        units = Unit.objects.filter(is_active=True)
        if not user.has_role(Role.BUREAU_HEAD) and user.unit_id:
            units = units.filter(pk=user.unit_id)
        self.fields["handling_unit"].queryset = units
        if user.unit_id:
            self.fields["handling_unit"].initial = user.unit_id
        officers = list(
            Staff.objects.with_role(Role.OFFICER)
            .filter(unit__in=units)
            .select_related("unit")
            .prefetch_related("certificates")
            .order_by("unit__order", "unit__name", "real_name")
            .distinct()
        )
        self._officers = {str(o.pk): o for o in officers}
        today = timezone.localdate()
        # The user's own unit first, so the common case needs no scrolling.
        officers.sort(key=lambda o: o.unit_id != user.unit_id)
        self.fields["officers"].choices = [
            (unit.name, [(str(o.pk), choice_label(o, today)) for o in group])
            for unit, group in groupby(officers, key=lambda o: o.unit)
        ]
        if user.has_role(Role.OFFICER) and str(user.pk) in self._officers and not self.is_bound:
            self.fields["officers"].initial = [str(user.pk)]
        items = list(PowerItem.objects.filter(is_active=True).order_by("field", "kind", "code"))
        self._items = {str(i.pk): i for i in items}
        self.fields["matters"].choices = [
            (field_name, [(str(i.pk), f"{i.name}（{i.get_kind_display()}）") for i in group])
            for field_name, group in groupby(items, key=lambda i: i.field)
        ]

    def clean_officers(self):
        return [self._officers[pk] for pk in self.cleaned_data["officers"]]

    def clean_matters(self):
        return [self._items[pk] for pk in self.cleaned_data["matters"]]

    def clean(self):
        cleaned = super().clean()
        unit = cleaned.get("handling_unit")
        for officer in cleaned.get("officers") or ():
            if unit is not None and officer.unit_id != unit.pk:
                self.add_error("officers", f"{officer.display_name}不属于{unit}，不能承办本单位的案件。")
        return cleaned


class PartyForm(forms.ModelForm):
    """One 当事人. A blank row is skipped; a filled row is checked by Party.clean (kind-specific fields)."""

    class Meta:
        model = Party
        fields = [
            "kind",
            "name",
            "id_type",
            "id_number",
            "credit_code",
            "legal_representative",
            "operator",
            "address",
            "phone",
            "is_minor",
        ]
        error_messages = {
            "kind": {"required": "请选择当事人类型。"},
            "name": {"required": "请填写当事人名称或姓名。"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "请选择")] + list(PartyKind.choices)
        self.fields["id_type"].choices = [("", "（无）")] + list(self.fields["id_type"].choices)[1:]


class BasePartyFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not any(form.has_changed() for form in self.forms):
            raise ValidationError("请至少登记一名当事人。")

    @property
    def parties(self) -> list[Party]:
        return [form.instance for form in self.forms if form.has_changed()]


PartyFormSet = forms.formset_factory(
    PartyForm, formset=BasePartyFormSet, extra=MAX_PARTIES, max_num=MAX_PARTIES, validate_max=True
)


# --- Documents -----------------------------------------------------------------------------------------------


class DocumentMetaForm(forms.ModelForm):
    """Who, when, where of the act a document records, the party it is addressed to, its classification
    and, where audio-video is 'as needed', why the text alone records the act fully."""

    act_date = date_field("执法活动日期", required=False)

    class Meta:
        model = Document
        fields = ["act_date", "act_place", "officers", "party", "classification", "av_exemption"]
        widgets = {
            "officers": forms.CheckboxSelectMultiple,
            "av_exemption": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, case, doctype, **kwargs):
        super().__init__(*args, **kwargs)
        self.case, self.doctype = case, doctype
        officers = self.fields["officers"]
        officers.queryset = Staff.objects.filter(assignments__case=case).order_by(
            "-assignments__is_lead", "assignments__assigned_at"
        )
        officers.label_from_instance = lambda s: s.display_name
        officers.help_text = "须为本案承办人员。" + (
            "执法活动须由至少两名持有效执法证件的执法人员实施（行政处罚法 第四十二条）。"
            if doctype.act
            else ""
        )
        party = self.fields["party"]
        party.queryset = case.parties.all()
        party.empty_label = "（不涉及当事人）" if not doctype.to_party else "请选择"
        party.required = doctype.to_party
        party.error_messages["required"] = "请选择文书送达的当事人。"
        # A type may name the act's date as its paper form does (当场处罚日期): one date field, never two.
        act_date = self.fields["act_date"]
        act_date.label = getattr(doctype, "act_date_label", None) or act_date.label
        act_date.required = doctype.act
        act_date.error_messages["required"] = f"请填写{act_date.label}。"
        self.fields["classification"].choices = list(Classification.choices)
        if not doctype.av:
            del self.fields["av_exemption"]
        # One place field: a type whose own form asks for the place (检查地点, 询问地点 ...) does not ask twice.
        if not doctype.act or doctype.place_field:
            del self.fields["act_place"]


# --- Party signature (当事人签名或拒签) ----------------------------------------------------------------------


def detect_image(head: bytes) -> str | None:
    """The MIME type of a photo judged by its first bytes (never by its name), or None: the evidence
    module's detector, limited to the images a browser shows (JPEG, PNG, WebP)."""
    from .evidence import detect_type

    found = detect_type(head)
    return found.mime if found is not None and found.mime in SIGNED_SCAN_TYPES else None


class SignatureForm(forms.Form):
    outcome = forms.ChoiceField(
        label="当事人签名情况",
        choices=[(PartySignature.SIGNED, "当事人已签名"), (PartySignature.REFUSED, "当事人拒绝签名")],
        widget=forms.RadioSelect,
    )
    signed_at = datetime_field("签名（拒签）时间")
    refusal_witness = line_field(
        "见证人",
        required=False,
        max_length=100,
        help_text="拒绝签名的，须有见证人：姓名及身份（如：村委会主任）",
    )
    scan = forms.FileField(
        label="签字页照片",
        required=False,
        help_text="JPEG、PNG 或 WebP 图片，不超过20 MB；按文件内容识别类型。",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def clean_scan(self):
        upload = self.cleaned_data.get("scan")
        if not upload:
            return None
        if upload.size > SIGNED_SCAN_MAX_BYTES:
            raise ValidationError("签字页照片不能超过20 MB。")
        upload.seek(0)
        content = upload.read()
        mime = detect_image(content[:4096])
        if mime is None:
            raise ValidationError("签字页照片只能是 JPEG、PNG 或 WebP 图片（按文件内容识别）。")
        try:
            import io

            from PIL import Image

            with Image.open(io.BytesIO(content)) as image:
                image.verify()
        except Exception as exc:  # Pillow raises many kinds for a broken file
            raise ValidationError("签字页照片已损坏或不是完整的图片。") from exc
        return {"content": content, "mime": mime, "sha256": hashlib.sha256(content).hexdigest()}

    # Whether a witness is needed and the time is not in the future are rules of the document
    # (Document.record_party_signature), not of this form: every path gets the same refusal.


class CorrectionForm(forms.Form):
    reason = text_field("更正理由", rows=2, max_length=2000)


# --- Audio-video evidence ----------------------------------------------------------------------------------


class UploadForm(forms.Form):
    title = forms.CharField(label="名称", max_length=200, help_text="如：现场检查执法记录仪录像")
    document = forms.ModelChoiceField(
        label="所记录的执法活动",
        queryset=Document.objects.none(),
        required=False,
        empty_label="（不关联具体文书）",
        help_text="选择该音像记录所记录的执法活动，如现场笔录、查封扣押决定书。",
    )
    classification = forms.ChoiceField(
        label="密级", choices=Classification.choices, initial=Classification.GENERAL
    )
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label="文件", required=False)
    # Sent by upload.js instead of the file itself: the bytes follow in chunks.
    name = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    size = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    sha256 = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = Document.objects.visible_to(user, case).current()
        self.fields["document"].label_from_instance = _document_label

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and cleaned.get("size") is None:
            raise forms.ValidationError("请选择要上传的录音、录像或照片文件。")
        return cleaned


def _document_label(document) -> str:
    when = f"（{cn_date(document.act_date)}）" if document.act_date else ""
    return f"{document}{when}"


class LinkForm(forms.Form):
    """Link an uploaded item to the act it records (recording/evidence/linking.py)."""

    document = forms.ModelChoiceField(
        label="所记录的执法活动", queryset=Document.objects.none(), empty_label="（请选择）"
    )

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = Document.objects.visible_to(user, case).current()
        self.fields["document"].label_from_instance = _document_label


class UnlinkForm(forms.Form):
    reason = forms.CharField(
        label="取消关联的理由",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="如：误关联到其他执法活动。",
    )


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="作废理由",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="写明作废原因，如：误传其他案件的录像。文件不会被删除，作废记录与理由永久保留。",
    )
