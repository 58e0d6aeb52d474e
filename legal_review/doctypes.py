"""legal_review's documents, registered into recording's type registry: the 法制审核意见书 (numbered 武市监法审
〔2026〕1号) and the 集体讨论记录, both in the 副卷. They are written by the review's own people, not by the
case's officers, so each type says who may issue it."""

from django import forms

from recording.doctypes.base import DocumentType, register
from wuding_enforcement.roster.models import Role


class ReviewOpinionForm(forms.Form):
    """The core of the stored data; the checklist rides along in the same JSON (the form ignores it)."""

    round = forms.IntegerField(min_value=1)
    outcome = forms.ChoiceField(
        choices=[("approved", "同意"), ("returned", "修改后再报"), ("refused", "不同意")]
    )
    opinion = forms.CharField(max_length=20000)
    reviewer = forms.CharField(max_length=50)


@register
class ReviewOpinion(DocumentType):
    key = "review_opinion"
    title = "法制审核意见书"
    form_class = ReviewOpinionForm
    number_word = "法审"
    volume = "sub"

    def may_issue(self, document, user) -> bool:
        """Only the reviewer assigned to the round the opinion answers (行政处罚法 第五十八条)."""
        from .models import ReviewRound

        return ReviewRound.objects.filter(
            case=document.case, number=document.data.get("round"), reviewer=user
        ).exists()

    def summary(self, data):
        return f"第{data.get('round')}轮：{data.get('outcome_label', '')}"


class CollectiveRecordForm(forms.Form):
    held_on = forms.DateField()
    chair = forms.CharField(max_length=50)
    participants = forms.CharField(max_length=500)
    opinions = forms.CharField(max_length=20000)
    conclusion = forms.ChoiceField(
        choices=[("agree", "同意"), ("amend", "修改"), ("no_penalty", "不予处罚"), ("transfer", "移送")]
    )
    conclusion_text = forms.CharField(max_length=5000)


@register
class CollectiveRecord(DocumentType):
    key = "collective_record"
    title = "集体讨论记录"
    form_class = CollectiveRecordForm
    volume = "sub"

    def may_issue(self, document, user) -> bool:
        """The bureau head who chaired the discussion records it (行政处罚法 第五十七条)."""
        return user.has_role(Role.BUREAU_HEAD)

    def summary(self, data):
        return f"{data.get('held_on', '')}：{data.get('conclusion_label', '')}"
