"""Every clock of every case as a row (CaseDeadline), so that the supervision dashboard, the overdue lists, the
reminder scan and the statistics count and list them in SQL on indexes instead of computing every clock of
every case in Python (~97,000 model instances for 5,000 cases).

The computed truth stays cases/deadlines.py (case_deadlines(): the foundation's clocks and every registered
provider's); a row is a copy of one computed Deadline without its "today" part. What depends on today — the
status, the remaining days — is worked out when reading, in SQL (CaseDeadlineQuerySet.red / .amber) or from the
row (CaseDeadline.as_deadline), with the same rule as make_deadline().

Kept current (deadline_sync.py): saving or deleting a case or any row that points to a case marks the case
stale (DeadlineStale, one insert); readers refresh the stale cases first (refresh_stale(), a fixed number of
queries) and `manage.py rebuild_deadlines` recomputes every case and reports rows that differ from the
computed truth (nightly, and after bulk imports that bypass the signals).
"""

import datetime

from django.db import models
from django.db.models import Q

from . import calendar
from .deadlines import (
    AMBER_DAYS,
    CALENDAR_DAYS,
    WORKING_DAYS,
    Deadline,
    Status,
    make_deadline,
    reading_moment,
)


def open_q() -> Q:
    """Not met, not paused (a paused clock is never late: 第六十四条 periods not counted)."""
    return Q(met_on__isnull=True, paused=False)


def red_q(today: datetime.date, now: datetime.datetime) -> Q:
    """Open and past due: the day after the due date (hours clocks: the moment after due_at). A period that is
    the party's own (lapses) is met once it runs out, never late."""
    return open_q() & (
        Q(due_at__isnull=True, lapses=False, due__lt=today) | Q(due_at__isnull=False, due_at__lt=now)
    )


def amber_q(today: datetime.date, now: datetime.datetime) -> Q:
    """Open and due within AMBER_DAYS of its own unit (hours clocks: every open one not yet late)."""
    return open_q() & (
        Q(due_at__isnull=True)
        & (
            Q(unit=WORKING_DAYS, due__gte=today, due__lt=calendar.add_working_days(today, AMBER_DAYS + 1))
            | Q(unit=CALENDAR_DAYS, due__gte=today, due__lte=today + datetime.timedelta(days=AMBER_DAYS))
        )
        | Q(due_at__isnull=False, due_at__gte=now)
    )


class CaseDeadlineQuerySet(models.QuerySet):
    def open(self):
        """Not met, not paused (open_q)."""
        return self.filter(open_q())

    def red(self, today: datetime.date, now: datetime.datetime):
        """Open and past due (red_q)."""
        return self.filter(red_q(today, now))

    def amber(self, today: datetime.date, now: datetime.datetime):
        """Open and due soon (amber_q)."""
        return self.filter(amber_q(today, now))

    def late_in(self, start: datetime.date, end: datetime.date, today: datetime.date, now: datetime.datetime):
        """Due in [start, end] and met after the due date or still open past it (hours clocks: past their
        moment), not paused (the statistics' 逾期环节)."""
        return self.filter(due__range=(start, end), paused=False, lapses=False).filter(
            Q(met_on__gt=models.F("due"))
            | Q(met_on__isnull=True, due_at__isnull=True, due__lt=today)
            | Q(met_on__isnull=True, due_at__lt=now)
        )

    def marks(self, now: datetime.datetime) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """The table's last write (a rebuild after a holiday change rewrites rows in a task, without signals)
        and the next moment an open clock in hours turns late (red_q; late_in, which also leaves out the
        clocks that lapse): what a figure computed from the table now stays valid until. One query of two
        index reads: the newest write (supervision_deadline_written_idx), the next open due_at
        (cases_deadline_due_at_idx)."""
        turns = (
            self.model._default_manager.filter(due_at__gte=now, met_on__isnull=True, paused=False)
            .order_by("due_at")
            .values("due_at")[:1]
        )
        newest = (
            self.model._default_manager.order_by("-computed_at")
            .annotate(turns=models.Subquery(turns))
            .values_list("computed_at", "turns")
            .first()
        )
        return newest if newest is not None else (None, None)


class CaseDeadline(models.Model):
    """One clock of one case, as computed (cases/deadlines.py). Never edited by hand: rewritten whole."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="deadline_rows")
    key = models.CharField("期限标识", max_length=80)
    name = models.CharField("期限名称", max_length=200)
    basis = models.TextField("依据", blank=True)
    unit = models.CharField("计算单位", max_length=8)
    start = models.DateField("起算日")
    due = models.DateField("届满日")
    # Clocks in hours (紧急查封扣押报告, 24 小时): the moment they end.
    due_at = models.DateTimeField("届满时刻", null=True, blank=True)
    limit = models.PositiveIntegerField("法定期限")
    met_on = models.DateField("完成日期", null=True, blank=True)
    paused = models.BooleanField("暂停计算", default=False)
    # The party's own period (陈述申辩): met once it runs out, never late.
    lapses = models.BooleanField("届满即完成", default=False)
    extended_by = models.PositiveIntegerField("延长", default=0)
    paused_days = models.PositiveIntegerField("不计入天数", default=0)
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    objects = CaseDeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = "办案期限"
        verbose_name_plural = "办案期限"
        constraints = [
            models.UniqueConstraint(fields=["case", "key"], name="cases_casedeadline_one_per_key"),
        ]
        indexes = [
            # Serves the dashboard's overdue / due-soon counts and lists, the reminder scan and the home
            # page's urgent list: open clocks (not met, not paused) by due date.
            models.Index(
                fields=["due", "case"],
                name="cases_deadline_open_due_idx",
                condition=Q(met_on__isnull=True, paused=False),
            ),
            # Serves the hours clocks (due_at) of the same counts.
            models.Index(
                fields=["due_at"], name="cases_deadline_due_at_idx", condition=Q(due_at__isnull=False)
            ),
            # Serves the statistics' 逾期环节: clocks due in a period.
            models.Index(fields=["due"], name="cases_deadline_due_idx"),
        ]

    def __str__(self):
        return f"{self.name}（{self.due}）"

    @classmethod
    def from_deadline(cls, case_id: int, d: Deadline) -> "CaseDeadline":
        lapses = getattr(d, "lapses", False)
        return cls(
            case_id=case_id,
            key=d.key[:80],
            name=d.name[:200],
            basis=d.basis,
            unit=d.unit,
            start=d.start,
            due=d.due,
            due_at=getattr(d, "due_at", None),
            limit=d.limit,
            met_on=None if lapses else d.met_on,
            paused=d.status == Status.PAUSED,
            lapses=lapses,
            extended_by=d.extended_by,
            paused_days=d.paused_days,
        )

    def same_as(self, other: "CaseDeadline") -> bool:
        fields = ("key", "name", "basis", "unit", "start", "due", "due_at", "limit", "met_on", "paused")
        return all(
            getattr(self, f) == getattr(other, f) for f in (*fields, "lapses", "extended_by", "paused_days")
        )

    def as_deadline(self, today: datetime.date, now: datetime.datetime | None = None) -> Deadline:
        """The Deadline this row stands for on `today` (status and remaining days as make_deadline gives)."""
        met_on = self.met_on
        if self.lapses and today > self.due:
            met_on = self.due
        d = make_deadline(
            key=self.key,
            name=self.name,
            basis=self.basis,
            start=self.start,
            due=self.due,
            unit=self.unit,
            limit=self.limit,
            today=today,
            met_on=met_on,
            paused=self.paused,
            extended_by=self.extended_by,
            paused_days=self.paused_days,
        )
        d.due_at = self.due_at  # as the clock itself carries it (recording/clocks.py)
        if self.due_at is not None and met_on is None and now is not None:
            if now > self.due_at:
                d.status = Status.RED
                d.remaining = min(d.remaining, -1)
            else:
                d.status = Status.AMBER
        return d


class DeadlineStale(models.Model):
    """A case whose clocks may have changed since its rows were written (a save of the case or of a row that
    points to it). One row per change; refresh_stale() removes exactly the marks it read."""

    case_id = models.BigIntegerField("案件")
    marked_at = models.DateTimeField("标记时间", auto_now_add=True)

    class Meta:
        verbose_name = "待重算期限的案件"
        verbose_name_plural = "待重算期限的案件"

    def __str__(self):
        return f"案件 {self.case_id}"


def next_open_deadlines(cases, today: datetime.date) -> list:
    """(case, next open deadline or None) for a page of cases, from the table (brought up to date first):
    one query for the page instead of prefetching everything every clock reads (list pages: the case list)."""
    from .deadline_sync import refresh_stale

    cases = list(cases)
    refresh_stale()
    now = reading_moment(today)
    first: dict[int, CaseDeadline] = {}
    if cases:
        rows = CaseDeadline.objects.filter(case_id__in=[c.pk for c in cases], met_on__isnull=True)
        for row in rows.order_by("due", "key"):
            if row.lapses and today > row.due:
                continue  # the party's period has run out: met
            first.setdefault(row.case_id, row)
    return [(c, first[c.pk].as_deadline(today, now) if c.pk in first else None) for c in cases]
