from django import forms

from wuding_enforcement.roster.models import Unit


class RoundForm(forms.Form):
    title = forms.CharField(label="名称", max_length=200)
    year = forms.IntegerField(label="评查年度（抽取该年归档的案卷）", min_value=2019, max_value=2100)
    per_unit = forms.IntegerField(label="每个单位抽取案卷数", min_value=1, max_value=50, initial=2)
    seed = forms.IntegerField(
        label="随机种子（留空则随机生成；复核时填原种子）", required=False, min_value=1, max_value=2**31 - 1
    )


class NoticeForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    summary = forms.CharField(label="通报内容", widget=forms.Textarea(attrs={"rows": 5}), max_length=20000)


class NoticeItemForm(forms.Form):
    unit = forms.ModelChoiceField(label="责任单位", queryset=Unit.objects.filter(is_active=True))
    problem = forms.CharField(label="存在问题", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    due_on = forms.DateField(label="整改期限", widget=forms.DateInput(attrs={"type": "date"}))


class TextForm(forms.Form):
    text = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    accept = forms.BooleanField(label="同意销号（不勾选则退回整改）", required=False, initial=True)


class ScoreSheetForm(forms.Form):
    """The 案卷评查 scoring sheet as posted: points and a note per active criterion, and the comment. Only the
    reading of the numbers is here; what makes a valid score (every criterion scored, within its points, a note
    for each deduction) is evaluation.score's rule."""

    comment = forms.CharField(required=False, max_length=5000)

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"points_{criterion.pk}"] = forms.DecimalField(
                required=False, error_messages={"invalid": f"“{criterion.text}”得分不是有效数字。"}
            )
            self.fields[f"note_{criterion.pk}"] = forms.CharField(required=False, max_length=300)

    def problems(self) -> list[str]:
        return [str(error) for errors in self.errors.values() for error in errors]

    def scores(self) -> dict:
        """The keyword arguments of evaluation.score: points and notes by criterion id, and the comment."""
        data = self.cleaned_data
        return {
            "points": {
                c.pk: data[f"points_{c.pk}"] for c in self.criteria if data[f"points_{c.pk}"] is not None
            },
            "notes": {c.pk: data[f"note_{c.pk}"] for c in self.criteria},
            "comment": data["comment"],
        }
