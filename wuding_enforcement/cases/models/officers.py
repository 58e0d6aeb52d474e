"""承办人员: the officers assigned to a case (granted per case through django-guardian, Case.assign_officers)."""

from django.db import models
from simple_history.models import HistoricalRecords

from wuding_enforcement.roster.models import Staff


class CaseOfficer(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="assignments")
    officer = models.ForeignKey(
        Staff, verbose_name="执法人员", on_delete=models.PROTECT, related_name="assignments"
    )
    is_lead = models.BooleanField("主办人", default=False)
    assigned_at = models.DateTimeField("指派时间", auto_now_add=True)
    history = HistoricalRecords()
    # Read by simple-history when the row is saved: the namespaced verb and who acted.
    _change_reason: str
    _history_user: Staff

    class Meta:
        verbose_name = "承办人员"
        verbose_name_plural = "承办人员"
        ordering = ["-is_lead", "assigned_at"]
        constraints = [models.UniqueConstraint(fields=["case", "officer"], name="cases_caseofficer_unique")]

    def __str__(self):
        return f"{self.officer}{'（主办）' if self.is_lead else ''}"
