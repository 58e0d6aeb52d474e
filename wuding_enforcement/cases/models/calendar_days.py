"""The admin-entered working-day calendar (cases/calendar.py reads it with the chinesecalendar package)."""

import datetime

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class CalendarDay(models.Model):
    """An admin-entered day that overrides the chinesecalendar package (and covers years it does not know):
    a holiday (is_working_day=False) or an adjusted working weekend (调休, is_working_day=True)."""

    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("是否工作日")
    name = models.CharField("名称", max_length=50, help_text="如：春节、国庆节、国庆节调休上班")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}（{'上班' if self.is_working_day else '放假'}）"


def today() -> datetime.date:
    return timezone.localdate()
