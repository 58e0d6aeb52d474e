"""简易程序's document: the 当场行政处罚决定书 (行政处罚法 第五十一条、第五十二条).

Decided, written and handed to the party on the spot by at least two certified officers, who show their
certificates (第五十二条, 第四十二条): the party, the facts, the 违法依据 and 处罚依据 (the matter's own, as the
决定书 takes them), the penalty, the 当场 date (the act's date, Document.act_date) and place, the officers with
their 执法证号, the oral 告知 and the party's statement (第四十四条、第四十五条), the fine's payment (到指定银行
within 15 days, 第六十七条; 当场收缴 only in the cases of 第六十八条、第六十九条), the remedies, and the party's
signature or refusal (第五十二条: 当事人拒绝签收的，应当在行政处罚决定书上注明).

The 第五十一条 rule (only 警告 or a fine up to RuleSettings.simple_fine_person / simple_fine_organisation) is a
document gate (`penalty_problems`, registered from recording.order), so the page, a forged POST, Document.issue()
and any task get the same refusal. The form offers only 警告 and 罚款 but accepts the whole penalty vocabulary:
a draft naming another penalty is saved and refused at issue, with the article, by that one rule.
"""

from decimal import Decimal, InvalidOperation

from django import forms

from wuding_enforcement.cases.models import PartyKind, RuleSettings
from wuding_enforcement.cases.workflow import Stage
from wuding_enforcement.shared.forms import format_yuan, line_field, text_field, yuan_field, yuan_in_words
from wuding_enforcement.shared.penalties import PENALTY_LABELS, PENALTY_TYPES

from .base import register
from .decision import FilledDocumentType, RemedyMixin, check_bases, matter_bases, remedy_text

# 行政处罚法 第五十一条: on the spot, only a warning or a small fine.
SIMPLE_PENALTIES = ("warning", "fine")
ARTICLE_51 = "行政处罚法 第五十一条"
# 第六十八条第（一）项: a fine of up to 100 元 may be collected on the spot.
SMALL_FINE = Decimal("100.00")
PAYMENT_DAYS = 15  # 第六十七条


class Payment:
    BANK = "bank"
    ON_SPOT_SMALL = "on_spot_small"
    ON_SPOT_HARD = "on_spot_hard"
    ON_SPOT_REMOTE = "on_spot_remote"
    CHOICES = [
        ("", "请选择缴纳方式"),
        (BANK, "到指定银行或者通过电子支付系统缴纳（十五日内，第六十七条）"),
        (ON_SPOT_SMALL, "当场收缴：依法给予一百元以下罚款（第六十八条第（一）项）"),
        (ON_SPOT_HARD, "当场收缴：不当场收缴事后难以执行（第六十八条第（二）项）"),
        (ON_SPOT_REMOTE, "当场收缴：边远、水上、交通不便地区，当事人提出到银行缴纳确有困难（第六十九条）"),
    ]
    ON_SPOT = (ON_SPOT_SMALL, ON_SPOT_HARD, ON_SPOT_REMOTE)


NOTICE_TEXT = (
    "执法人员已当场向当事人出示执法证件，告知当事人拟作出的行政处罚内容及事实、理由、依据，"
    "并告知当事人依法享有陈述、申辩的权利（行政处罚法 第四十四条、第五十二条）。"
)


class _PenaltyChoice(forms.MultipleChoiceField):
    """Offers 警告 and 罚款 only, but stores any code of the penalty vocabulary: the 第五十一条 gate, not the
    form, refuses another penalty (so every way of issuing gets the same refusal, with the article)."""

    def valid_value(self, value):
        return str(value) in dict(PENALTY_TYPES)


class SimpleDecisionForm(RemedyMixin, forms.Form):
    facts = text_field(
        "违法事实", rows=4, max_length=5000, help_text="时间、地点、违法行为，写明现场查明的情况"
    )
    evidence = text_field(
        "证据", rows=2, max_length=2000, help_text="如：现场照片、执法记录仪录像、当事人陈述"
    )
    basis_violated = text_field("违反的法律规定", rows=2, max_length=2000)
    basis_penalty = text_field("处罚依据", rows=2, max_length=2000)
    penalty_types = _PenaltyChoice(
        label="处罚种类",
        choices=[(code, PENALTY_LABELS[code]) for code in SIMPLE_PENALTIES],
        widget=forms.CheckboxSelectMultiple,
        help_text="当场处罚只能给予警告，或者对公民处二百元以下、对法人或者其他组织处三千元以下罚款"
        "（行政处罚法 第五十一条；上限以办案规则参数为准）。",
    )
    fine_amount = yuan_field("罚款金额", required=False)
    payment = forms.ChoiceField(label="罚款缴纳方式", choices=Payment.CHOICES, required=False)
    payment_bank = line_field(
        "指定银行", required=False, help_text="到指定银行缴纳的，写明银行名称（及账户）"
    )
    on_spot_reason = text_field("当场收缴的情形", rows=2, max_length=1000, required=False)
    receipt_number = line_field(
        "罚款收据编号",
        required=False,
        max_length=60,
        help_text="当场收缴罚款的，须出具省级财政部门统一制发的专用票据（行政处罚法 第七十条）",
    )
    notified = forms.BooleanField(label="已当场告知并出示执法证件", help_text=NOTICE_TEXT)
    statement = text_field("当事人的陈述、申辩", rows=2, max_length=2000, required=False)
    statement_answer = text_field("对陈述、申辩的复核及采纳情况", rows=2, max_length=2000, required=False)
    place = line_field("处罚地点")
    remedy = forms.CharField(
        label="申请行政复议或者提起行政诉讼的途径和期限",
        required=False,
        disabled=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="按办案规则参数自动生成。",
    )

    takes_case = True

    def __init__(self, *args, case=None, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
        for name in ("facts", "evidence", "basis_violated", "basis_penalty", "penalty_types", "place"):
            field = self.fields[name]
            field.error_messages["required"] = f"须载明“{field.label}”（行政处罚法 第五十二条）。"
        self.fields["notified"].error_messages["required"] = (
            "作出当场处罚决定前，须告知当事人拟作出处罚的事实、理由、依据及陈述、申辩的权利"
            "（行政处罚法 第四十四条）。"
        )
        self.fields["remedy"].initial = remedy_text()

    def clean(self):
        cleaned = super().clean()
        check_bases(self, cleaned)
        types = set(cleaned.get("penalty_types") or [])
        fine, payment = cleaned.get("fine_amount"), cleaned.get("payment")
        if "fine" in types:
            if not fine:
                self.add_error("fine_amount", "处罚种类包含“罚款”，请填写金额。")
            elif fine <= 0:
                self.add_error("fine_amount", "金额须大于零。")
            if not payment:
                self.add_error("payment", "请选择罚款缴纳方式。")
            elif payment == Payment.BANK and not cleaned.get("payment_bank"):
                self.add_error("payment_bank", "到指定银行缴纳的，请写明指定银行。")
            elif payment in Payment.ON_SPOT:
                if not cleaned.get("receipt_number"):
                    self.add_error(
                        "receipt_number", "当场收缴罚款的，须填写专用票据编号（行政处罚法 第七十条）。"
                    )
                if payment != Payment.ON_SPOT_SMALL and not cleaned.get("on_spot_reason"):
                    self.add_error(
                        "on_spot_reason", "请写明当场收缴的情形（行政处罚法 第六十八条、第六十九条）。"
                    )
        else:
            if fine:
                self.add_error("fine_amount", "处罚种类未选“罚款”，不应填写金额。")
            if payment:
                self.add_error("payment", "未处罚款的，无须选择缴纳方式。")
        if cleaned.get("statement") and not cleaned.get("statement_answer"):
            self.add_error(
                "statement_answer",
                "当事人提出陈述、申辩的，须复核并写明采纳情况（行政处罚法 第四十五条）。",
            )
        self.clean_remedy_text(cleaned)
        return cleaned


def fine_limit(party, rules: RuleSettings | None = None) -> tuple[Decimal, str]:
    """The 第五十一条 limit for this party and how the law names it: 法人或者其他组织 3000元, 公民 200元 (defaults;
    RuleSettings). A 个体工商户 — or no party chosen — gets the lower, natural-person limit: a fine never
    wrongly allowed on the spot."""
    rules = rules or RuleSettings.current()
    if party is not None and party.kind == PartyKind.ORGANISATION:
        return rules.simple_fine_organisation, "法人或者其他组织"
    return rules.simple_fine_person, "公民"


def _amount(value) -> Decimal:
    try:
        return Decimal(str(value or "0"))
    except InvalidOperation:
        return Decimal("0")


def penalty_problems(data: dict, party, rules: RuleSettings | None = None) -> list[str]:
    """Why this on-the-spot penalty may not be imposed (行政处罚法 第五十一条, 第六十八条); [] when it may."""
    problems = []
    types = list(data.get("penalty_types") or [])
    other = [code for code in types if code not in SIMPLE_PENALTIES]
    if other:
        labels = "、".join(PENALTY_LABELS.get(code, code) for code in other)
        problems.append(
            f"当场处罚只能给予警告或者罚款，不能当场作出{labels}（{ARTICLE_51}）；请按普通程序立案调查后作出决定。"
        )
    if "fine" in types:
        fine = _amount(data.get("fine_amount"))
        limit, who = fine_limit(party, rules)
        if fine > limit:
            problems.append(
                f"当场处罚的罚款，对{who}不得超过{format_yuan(limit)}元（{ARTICLE_51}；办案规则参数）："
                f"本决定罚款{format_yuan(fine)}元，超过上限；请按普通程序立案调查后作出决定。"
            )
        if data.get("payment") == Payment.ON_SPOT_SMALL and fine > SMALL_FINE:
            problems.append(
                f"依法给予一百元以下罚款的，才能以此为由当场收缴（行政处罚法 第六十八条第（一）项）："
                f"本决定罚款{format_yuan(fine)}元。"
            )
    return problems


@register
class SimpleDecision(FilledDocumentType):
    key = "simple_decision"
    title = "当场行政处罚决定书"
    form_class = SimpleDecisionForm
    number_word = "当罚"
    to_party = True
    # An enforcement act on the spot: two certified officers on its date (第四十二条); 现场执法 is recorded on
    # audio-video or the text says why it suffices (docs/domain.md §2).
    act = True
    av = "as_needed"
    act_date_label = "当场处罚日期"
    group = "简易程序（当场处罚）"

    stages = frozenset({Stage.ON_SPOT})  # the workspace offers it first on a case decided on the spot

    def initial(self, case):
        return {**matter_bases(case), "remedy": remedy_text()}

    def summary(self, data):
        labels = "、".join(PENALTY_LABELS.get(code, code) for code in data.get("penalty_types") or [])
        fine = f"{format_yuan(data['fine_amount'])}元" if data.get("fine_amount") else ""
        return f"当场{labels}{fine}"

    def context(self, document):
        context = super().context(document)
        data = context["data"]
        data["remedy"] = data["remedy"] or remedy_text()
        fine = data.get("fine_amount")
        context.update(
            penalty_labels="、".join(PENALTY_LABELS.get(c, c) for c in data.get("penalty_types") or []),
            fine_text=(
                f"人民币{format_yuan(fine)}元（大写：{yuan_in_words(Decimal(str(fine)))}）" if fine else ""
            ),
            payment_days=PAYMENT_DAYS,
            on_spot=data.get("payment") in Payment.ON_SPOT,
            payment_label=dict(Payment.CHOICES).get(data.get("payment") or "", ""),
            notice_text=NOTICE_TEXT,
        )
        return context
