"""事后公开 (docs/domain.md §1): the publication of one 行政处罚决定书, its review actions and its search.

A publication is opened as a draft when the decision is issued (disclosure/publication.py), reviewed with
redactions and published by staff, withdrawn or ended but never deleted. The summary fields are copied at draft
time so the public pages read one table; `original_text` (the issued text) and Redaction.original are staff-only;
the public sees `published_text` only.

Every review action is a method here (publish, withdraw, end_early, close_without_publishing, the redaction
edits): each locks the row, checks its rule, writes, audits and renews the public pages in one transaction, and
refuses with `Refused` (Chinese reasons) whatever path calls it — page, forged POST, admin or task.

Over 500 lines on purpose: the model, its QuerySet (public lists and search) and its review actions are one
unit — each action reads and writes the same fields under the same row lock — and splitting the methods into
mixins is what docs/architecture.md asks us not to do.
"""

import datetime
import logging

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from simple_history.models import HistoricalRecords

from wuding_enforcement.audit.api import record
from wuding_enforcement.cases.models import PartyKind, RuleSettings
from wuding_enforcement.shared.penalties import PENALTY_LABELS
from wuding_enforcement.shared.refusals import Refused

from .. import periods, redaction, rules
from ..decisions import issued_correction, service_date
from ..search import (
    FIELD_TAGS,
    KEY_FIELDS,
    field_key,
    number_key,
    number_sequence,
    search_grams,
    term_grams,
    text_key,
)
from ..sections import PUBLICATIONS, publication_key
from .redactions import RedactionSource

logger = logging.getLogger("wuding.disclosure")


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "待审核"
    PUBLISHED = "published", "公示中"
    WITHDRAWN = "withdrawn", "已撤回"
    ENDED = "ended", "公示已结束"
    NOT_PUBLISHED = "not_published", "不予公示"


class WithdrawalKind(models.TextChoices):
    """行政处罚法 第四十八条 第二款; 总局令第45号 第十一条."""

    CHANGED = "changed", "处罚决定被依法变更"
    REVOKED = "revoked", "处罚决定被依法撤销"
    ILLEGAL = "illegal", "处罚决定被确认违法"
    VOID = "void", "处罚决定被确认无效"
    EXCLUDED = "excluded", "依法不应公示"


class EndKind(models.TextChoices):
    EXPIRED = "expired", "公示期满"
    EARLY = "early", "依申请提前停止公示"


# Shown in the public list: published ones and withdrawn ones (marked 已撤回 with the reason), until the end
# of their publication period.
LISTED_STATUSES = (PublicationStatus.PUBLISHED, PublicationStatus.WITHDRAWN)
# Reachable by a (possibly stale) public link: anything that was once published.
ONCE_PUBLISHED = (PublicationStatus.PUBLISHED, PublicationStatus.WITHDRAWN, PublicationStatus.ENDED)
# 总局令第45号 第十四条: no early end for these penalty types.
NO_EARLY_END_TYPES = {"suspend_business", "revoke_licence"}
EARLY_END_CONDITIONS = [
    ("performed", "当事人已履行行政处罚决定（罚款已缴清）"),
    ("remedied", "当事人已主动消除危害后果和不良影响"),
    ("no_repeat", "当事人未因同一类违法行为再次受到市场监督管理部门行政处罚"),
    ("not_untrustworthy", "当事人未被列入严重违法失信名单"),
]


def _refuse(publication, reasons) -> Refused:
    """The refusal of a review action, logged (the caller raises it)."""
    refused = Refused(reasons)
    logger.info("publication %s: refused: %s", publication.pk, "; ".join(refused.messages))
    return refused


class PublicationQuerySet(models.QuerySet):
    def listed(self, today: datetime.date | None = None):
        """The public list: published or withdrawn, and the publication period not over. The end date is
        filtered here, so an expired item leaves the list on time even where no scheduler runs."""
        today = today or timezone.localdate()
        return self.filter(status__in=LISTED_STATUSES, ends_on__gt=today)

    def current(self, today: datetime.date | None = None):
        """Currently published (the feed, the open data): withdrawn and expired items are not in it."""
        today = today or timezone.localdate()
        return self.filter(status=PublicationStatus.PUBLISHED, ends_on__gt=today)

    def withdrawal_overdue(self, today: datetime.date | None = None) -> list["Publication"]:
        """Published decisions that were changed, revoked or confirmed illegal or void (a recorded change or an
        issued correction) and are still shown after their 3-working-day withdrawal deadline (行政处罚法 第四十八条
        第二款; 总局令第45号 第十一条). Few rows: the working-day due date is computed per row."""
        today = today or timezone.localdate()
        rules = RuleSettings.current()
        candidates = self.filter(status=PublicationStatus.PUBLISHED).filter(
            Q(withdrawal_event_on__isnull=False) | Q(document__superseded_by__isnull=False)
        )
        overdue = []
        for pub in candidates.select_related("document__superseded_by"):
            due = pub.withdrawal_due(rules)
            if due is not None and today > due:
                overdue.append(pub)
        return overdue

    def once_published(self):
        return self.filter(status__in=ONCE_PUBLISHED)

    def expired_unrecorded(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.filter(status=PublicationStatus.PUBLISHED, ends_on__lte=today)

    def reviewable_by(self, user):
        """Publications this user may review, publish, withdraw or end: admins and bureau heads all, a
        unit head those of the unit's cases. Officers never publish their own cases' decisions."""
        from wuding_enforcement.roster.models import Role

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.has_role(Role.ADMIN, Role.BUREAU_HEAD):
            return self
        if user.has_role(Role.UNIT_HEAD):
            return self.filter(case__handling_unit__head=user)
        return self.none()

    def search(
        self, *, party="", number="", violation="", unit=None, date_from=None, date_to=None, indexed=True
    ):
        """The public search, as people type it (disclosure/search.py: any bracket style, full or half width,
        with or without 号 or the prefix, partial numbers; party names in part). Each term is matched within
        its own field: the grams find the candidates on the GIN index (PostgreSQL), the normalised key checks
        the order of the characters; a 文号 naming a sequence (12号, [2026]12 …) is found by that sequence on the
        B-tree of migration 0013 and checked against the whole key (the same rows: each of its grams is a part
        of the key). One query.
        `indexed=False` checks the same conditions row by row instead of on the indexes (the newest-first scan
        of disclosure/search.py, which reads rows in the list's order)."""
        qs = self
        terms = {"party_name": party, "violation_type": violation, "document_number": number}
        for tag, field in FIELD_TAGS:
            term = (terms[field] or "").strip()
            key = field_key(field, term) if term else ""
            if not key:
                continue
            sequence = number_sequence(key) if field == "document_number" else ""
            if sequence and connection.vendor == "postgresql":
                # A 文号 naming a sequence: the rows whose one » is followed by it, on the B-tree of migration
                # 0013, then the whole key checked. Its grams would add nothing (each is a part of the key) but
                # the bureau prefix's and the year's, which nearly every row has.
                qs = qs._with_number(key, sequence, indexed=indexed)
                continue
            grams = term_grams(tag, term)
            qs = qs._with_grams(grams, indexed=indexed)
            if connection.vendor != "postgresql" or len(grams) != 1 or len(key) != 2:
                # One 2-character gram is the key itself: the index answers exactly. Longer keys need the
                # order of their grams checked (and other databases scan).
                if field in KEY_FIELDS:
                    qs = qs.filter(**{f"{KEY_FIELDS[field]}__contains": key})
                else:
                    qs = qs.filter(**{f"{field}__icontains": term})
        if unit is not None:
            qs = qs.filter(unit=unit)
        if date_from:
            qs = qs.filter(decided_on__gte=date_from)
        if date_to:
            qs = qs.filter(decided_on__lte=date_to)
        return qs

    def _with_grams(self, grams: list[str], *, indexed: bool = True):
        """PostgreSQL: the tagged bigrams must all be in the row's GIN-indexed array (`indexed=False`: the same
        test on an expression the index does not cover, so that the planner reads the rows in order).

        Row by row, each gram is first looked for in the stored text with strpos(): grams are three characters
        with no space in them, joined by single spaces, so a 3-character match can only be a whole gram — the
        same test, without building the row's array (4x cheaper per row: a common term's bounded count and
        its newest-first page check tens of thousands of rows). `<> 0`, not `> 0`: PostgreSQL estimates the
        former as nearly always true, so the row estimates that choose between the GIN index and a scan stay
        the array's.

        Indexed with two grams or more, the strpos() tests are left out: the array test's estimate is then the
        product of the grams' frequencies, and the planner reads the GIN index (a bitmap of exact pages: the
        index answers the array test itself) — so it did at 100k and 1M generated decisions for every common
        term tried (销售不合格, 未按规定, 食品经营 …). There the strpos() of each candidate (a bounded count
        checks about 1,500) were a third of the count's time. A single gram keeps them: a common one is read
        by a scan, where they spare building each row's array."""
        if connection.vendor != "postgresql" or not grams:
            return self
        table = self.model._meta.db_table
        qs = self
        for gram in grams if not indexed or len(grams) == 1 else ():
            qs = qs.filter(
                RawSQL(  # noqa: S611 - the table name is ours; the gram is a bound parameter
                    f"strpos({table}.search_grams, %s) <> 0", (gram,), output_field=BooleanField()
                )
            )
        if not indexed:
            return qs
        return qs.filter(
            RawSQL(  # noqa: S611 - the table name is ours; the grams are a bound parameter
                f"string_to_array({table}.search_grams, ' ') @> %s::text[]",
                (grams,),
                output_field=BooleanField(),
            )
        )

    def _with_number(self, key: str, sequence: str, *, indexed: bool = True):
        """The stored 文号 key contains `key`, whose part after » is `sequence` (search.number_sequence). A stored
        key has at most one », so such a row's part after » starts with `sequence`: that prefix, on the index
        of migration 0013, finds the candidates, `number_key` LIKE '%key%' decides (`indexed=False`: the
        decision alone, on an expression no index covers, so that the planner reads the rows in order)."""
        table = self.model._meta.db_table
        like = connection.ops.prep_for_like_query
        qs = self.filter(
            RawSQL(  # noqa: S611 - the table name is ours; the pattern is a bound parameter
                f"({table}.number_key || '') LIKE %s", (f"%{like(key)}%",), output_field=BooleanField()
            )
        )
        if not indexed:
            return qs
        return qs.filter(
            RawSQL(  # noqa: S611 - the table name is ours; the pattern is a bound parameter
                f"split_part({table}.number_key, '»', 2) LIKE %s",
                (f"{like(sequence)}%",),
                output_field=BooleanField(),
            )
        )

    def record_expiries(self, today: datetime.date | None = None) -> int:
        """Mark published items whose period is over as ended (the public queries already hide them by date;
        this records the end in the data and the audit log). Each in its own transaction."""
        today = today or timezone.localdate()
        count = 0
        for pk in self.expired_unrecorded(today).values_list("pk", flat=True):
            with transaction.atomic():
                locked = self.model.objects.select_for_update().get(pk=pk)
                if locked.status != PublicationStatus.PUBLISHED or locked.ends_on > today:
                    continue
                locked.status = PublicationStatus.ENDED
                locked.ended_at = timezone.now()
                locked.end_kind = EndKind.EXPIRED
                locked.end_reason = "公示期满（总局令第45号 第十三条）。"
                locked._change_reason = "disclosure.publication.expired"
                locked.save()
                record(
                    "disclosure.publication.expired",
                    obj=locked,
                    detail={"ends_on": locked.ends_on.isoformat()},
                )
                count += 1
        if count:
            logger.info("recorded the end of %s expired publications", count)
            PUBLICATIONS.renew()
        return count


class Publication(models.Model):
    """行政处罚信息公示 of one 行政处罚决定书 (总局令第45号 第六条、第七条; 国办发〔2018〕118号)."""

    document = models.OneToOneField(
        "recording.Document", verbose_name="处罚决定书", on_delete=models.PROTECT, related_name="publication"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="publications"
    )
    status = models.CharField(
        "状态", max_length=14, choices=PublicationStatus.choices, default=PublicationStatus.DRAFT
    )
    # The summary (决定书文号, 当事人, 违法行为类型, 处罚内容, 机关, 日期).
    document_number = models.CharField("决定书文号", max_length=60)
    party_name = models.CharField("当事人", max_length=200, help_text="按设置可能隐去自然人姓名（张某）")
    party_kind = models.CharField("当事人类型", max_length=12)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    legal_representative = models.CharField("法定代表人（负责人/经营者）", max_length=50, blank=True)
    violation_type = models.CharField("违法行为类型", max_length=200)
    penalty_content = models.TextField("处罚内容")
    penalty_types = models.JSONField("处罚种类", default=list)
    fine_amount = models.DecimalField("罚款金额", max_digits=14, decimal_places=2, null=True, blank=True)
    authority = models.CharField("处罚机关", max_length=100)
    unit = models.ForeignKey(
        "roster.Unit", verbose_name="承办单位", on_delete=models.PROTECT, related_name="publications"
    )
    unit_name = models.CharField("承办单位名称", max_length=100)
    decided_on = models.DateField("处罚决定日期")
    # Texts: the issued one (staff only) and the redacted one the public reads.
    original_text = models.TextField("决定书原文", editable=False)
    published_text = models.TextField("公示文本", blank=True, editable=False)
    # Clock.
    due_on = models.DateField("公示期限", help_text="处罚决定作出之日起的公示期限（工作日，见办案规则参数）")
    served_on = models.DateField("送达日期", null=True, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签发人", on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    published_on = models.DateField("公示日期", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ends_on = models.DateField("公示截止（不含）", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_kind = models.CharField(
        "撤回原因类别", max_length=10, choices=WithdrawalKind.choices, blank=True
    )
    withdrawal_reason = models.TextField("撤回理由", blank=True)
    withdrawal_event_on = models.DateField("决定被变更/撤销/确认违法或无效的日期", null=True, blank=True)
    ended_at = models.DateTimeField("结束公示时间", null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_kind = models.CharField("结束方式", max_length=10, choices=EndKind.choices, blank=True)
    end_reason = models.TextField("结束说明", blank=True)
    early_end_confirmations = models.JSONField("提前停止公示的条件确认", default=dict, blank=True)
    not_published_reason = models.TextField("不予公示理由", blank=True)
    # Tagged 2-character shingles of the searchable summary fields (p=party, v=violation, n=number),
    # separated by spaces; PostgreSQL indexes string_to_array() of it with GIN (migration 0002 of this
    # section): pg_trgm indexes nothing under 3 characters, and Chinese searches are often 2 characters.
    search_grams = models.TextField(blank=True, editable=False)
    # The normalised 文号 (武市监处罚«2026»12号) and party name the search checks the grams' hits against.
    number_key = models.CharField(max_length=80, blank=True, editable=False)
    party_key = models.CharField(max_length=200, blank=True, editable=False)
    history = HistoricalRecords(
        excluded_fields=["original_text", "published_text", "search_grams", "number_key", "party_key"]
    )

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = "行政处罚决定公示"
        verbose_name_plural = "行政处罚决定公示"
        ordering = ["-published_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False, ends_on__isnull=False),
                name="disclosure_publication_published_has_dates",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(withdrawal_reason=""),
                name="disclosure_publication_withdrawn_has_reason",
            ),
        ]
        indexes = [
            # Serves the public list (listed(): status and end date), newest publication first; the end date
            # included, a deep page's ids are an index-only scan (disclosure/views/publications.py).
            models.Index(
                fields=["-published_on", "-id"],
                include=["ends_on"],
                condition=Q(status__in=["published", "withdrawn"]),
                name="disclosure_pub_listed_idx",
            ),
            # Serves the public list's COUNT (listed(): status and end date) as an index-only scan.
            models.Index(
                fields=["ends_on"],
                condition=Q(status__in=["published", "withdrawn"]),
                name="disclosure_pub_listed_end_idx",
            ),
            # Serves the periodic expiry task and the open data (status, end date).
            models.Index(fields=["status", "ends_on"], name="disclosure_pub_status_end_idx"),
            # Serves the Atom feed (current(): published, newest publication moment first).
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(status="published"),
                name="disclosure_pub_feed_idx",
            ),
            # Serves the staff list: open drafts by their deadline.
            models.Index(fields=["status", "due_on"], name="disclosure_pub_status_due_idx"),
        ]

    def __str__(self):
        return f"{self.document_number} {self.party_name}"

    # --- What the pages show --------------------------------------------------------------------------------

    @property
    def is_draft(self) -> bool:
        return self.status == PublicationStatus.DRAFT

    def is_shown(self, today: datetime.date | None = None) -> bool:
        """Its content is public today (the same rule as PublicationQuerySet.current())."""
        today = today or timezone.localdate()
        return (
            self.status == PublicationStatus.PUBLISHED and self.ends_on is not None and self.ends_on > today
        )

    @property
    def last_day(self) -> datetime.date | None:
        """公示截止日期: the last day shown (disclosure/periods.py, the one definition)."""
        return periods.last_day_shown(self.ends_on)

    @property
    def representative_label(self) -> str:
        """What the representative is called: a 个体工商户's 经营者, an organisation's 法定代表人（负责人）."""
        return "经营者" if self.party_kind == PartyKind.INDIVIDUAL_BUSINESS else "法定代表人（负责人）"

    @property
    def early_end_blocked_labels(self) -> list[str]:
        """Penalty types that forbid an early end (总局令第45号 第十四条), as labels; empty when allowed."""
        return [PENALTY_LABELS[code] for code in sorted(set(self.penalty_types) & NO_EARLY_END_TYPES)]

    def correction_date(self) -> datetime.date | None:
        """When the published decision was changed by an issued correction (recording's supersede)."""
        corrected = issued_correction(self.document)
        return timezone.localdate(corrected.issued_at) if corrected is not None else None

    def withdrawal_event(self) -> datetime.date | None:
        """The day the decision was changed, revoked or confirmed illegal or void (or corrected)."""
        return self.withdrawal_event_on or self.correction_date()

    def withdrawal_due(self, rules: RuleSettings | None = None) -> datetime.date | None:
        event = self.withdrawal_event()
        return periods.withdrawal_due(event, rules) if event is not None else None

    def active_spans(self) -> list[redaction.Span]:
        return [
            redaction.Span(r.start, r.end, r.kind, r.replacement, r.origin)
            for r in self.redactions.all()
            if r.removed_at is None
        ]

    def redacted_text(self) -> str:
        return redaction.apply(self.original_text, self.active_spans())

    def review_flags(self) -> list[redaction.Flag]:
        """The reviewer's flags, recomputed from the issued text (pure, no stored state to go stale)."""
        return redaction.suggest(self.original_text).flags

    def publish_problems(self) -> list[str]:
        problems = []
        if self.status != PublicationStatus.DRAFT:
            problems.append("该公示不是待审核状态。")
        if not self.served_on and service_date(self.document) is None:
            problems.append(
                "处罚决定书尚未送达：送达当事人（并告知将依法公示）后方可公示（总局令第45号 第八条）。"
            )
        if self.correction_date() is not None:
            problems.append("该决定书已被更正，请公示更正后的决定书。")
        # Checked again now: a party marked a minor (or found one by the ID number) after the draft opened, a
        # classification raised since (disclosure/rules.py).
        verdict = rules.verdict(self.document)
        if not verdict.published:
            problems.append(f"{verdict.reason}请以“不予公示”结束该公示稿。")
        return problems

    def index_for_search(self) -> None:
        """Fill the search columns from the summary (disclosure/search.py); the caller saves."""
        self.search_grams = search_grams(
            party_name=self.party_name,
            violation_type=self.violation_type,
            document_number=self.document_number,
        )
        self.number_key = number_key(self.document_number)
        self.party_key = text_key(self.party_name)

    # --- Review actions (each audited, each in one transaction) ---------------------------------------------

    def _locked(self) -> "Publication":
        return (
            type(self)
            .objects.select_for_update(of=("self",))
            .select_related("document", "case")
            .get(pk=self.pk)
        )

    def _take(self, locked: "Publication") -> "Publication":
        """Carry the saved values over to this instance (callers keep using the object they hold)."""
        for f in self._meta.concrete_fields:
            setattr(self, f.attname, getattr(locked, f.attname))
        return self

    def _require_draft(self) -> None:
        if self.status != PublicationStatus.DRAFT:
            raise _refuse(self, "该公示已发布或已结束，隐去内容不能再修改。")

    def publish(self, *, by, today: datetime.date | None = None) -> "Publication":
        """Publish the reviewed draft: the redacted text is fixed, the period starts today (总局令第45号
        第七条、第八条、第十三条)."""
        today = today or timezone.localdate()
        with transaction.atomic():
            pub = self._locked()
            problems = pub.publish_problems()
            if problems:
                raise _refuse(pub, problems)
            rules = RuleSettings.current()
            pub.served_on = pub.served_on or service_date(pub.document)
            pub.published_text = pub.redacted_text()
            pub.published_at = timezone.now()
            pub.published_on = today
            pub.published_by = by
            pub.ends_on = periods.publication_period_end(today, pub.document.data or {}, rules)
            pub.status = PublicationStatus.PUBLISHED
            pub.index_for_search()
            pub._change_reason = "disclosure.publication.published"
            pub._history_user = by
            pub.save()
            record(
                "disclosure.publication.published",
                obj=pub,
                actor=by,
                detail={
                    "number": pub.document_number,
                    "late": today > pub.due_on,
                    "ends_on": pub.ends_on.isoformat(),
                    "redactions": pub.redactions.filter(removed_at__isnull=True).count(),
                },
            )
            PUBLICATIONS.renew(publication_key(pub.pk))
        return self._take(pub)

    def withdraw(self, *, by, kind: str, reason: str, event_on: datetime.date | None = None) -> "Publication":
        """Withdraw a published decision (行政处罚法 第四十八条 第二款; 总局令第45号 第十一条): the entry stays in
        the list marked 已撤回 with the reason; its content is no longer shown."""
        reason = (reason or "").strip()
        if kind not in WithdrawalKind.values:
            raise _refuse(self, "请选择撤回的原因类别。")
        if not reason:
            raise _refuse(self, "请写明撤回理由，理由将向社会公开。")
        if event_on and event_on > timezone.localdate():
            raise _refuse(self, "决定被变更、撤销或确认违法、无效的日期不能晚于今天。")
        with transaction.atomic():
            pub = self._locked()
            if pub.status != PublicationStatus.PUBLISHED:
                raise _refuse(pub, "只有公示中的信息可以撤回。")
            pub.status = PublicationStatus.WITHDRAWN
            pub.withdrawn_at = timezone.now()
            pub.withdrawn_by = by
            pub.withdrawal_kind = kind
            pub.withdrawal_reason = reason
            pub.withdrawal_event_on = event_on or pub.withdrawal_event_on or pub.correction_date()
            pub._change_reason = "disclosure.publication.withdrawn"
            pub._history_user = by
            pub.save()
            due = pub.withdrawal_due()
            record(
                "disclosure.publication.withdrawn",
                obj=pub,
                actor=by,
                detail={
                    "kind": kind,
                    "reason": reason,
                    "event_on": pub.withdrawal_event_on.isoformat() if pub.withdrawal_event_on else "",
                    "late": bool(due and timezone.localdate() > due),
                },
            )
            PUBLICATIONS.renew(publication_key(pub.pk))
        return self._take(pub)

    def end_early(
        self, *, by, confirmations: dict, request_on: datetime.date, note: str = ""
    ) -> "Publication":
        """Early end of publication on the party's request (总局令第45号 第十四条): only when the party performed
        the decision (fine paid), removed the harm, did not repeat the violation and is not on the list of
        seriously untrustworthy entities; never for 责令停产停业 or 吊销许可证件."""
        with transaction.atomic():
            pub = self._locked()
            if pub.status != PublicationStatus.PUBLISHED:
                raise _refuse(pub, "只有公示中的信息可以提前停止公示。")
            blocked = pub.early_end_blocked_labels
            if blocked:
                labels = "、".join(blocked)
                raise _refuse(pub, f"处罚种类含“{labels}”的，不得提前停止公示（总局令第45号 第十四条）。")
            missing = [label for key, label in EARLY_END_CONDITIONS if not confirmations.get(key)]
            if missing:
                raise _refuse(pub, [f"未确认：{label}。" for label in missing])
            if request_on > timezone.localdate():
                raise _refuse(pub, "申请日期不能晚于今天。")
            pub.status = PublicationStatus.ENDED
            pub.ended_at = timezone.now()
            pub.ended_by = by
            pub.end_kind = EndKind.EARLY
            pub.end_reason = (note or "").strip() or "当事人申请提前停止公示，经审核符合条件。"
            pub.early_end_confirmations = {
                **{key: True for key, _ in EARLY_END_CONDITIONS},
                "request_on": request_on.isoformat(),
            }
            pub._change_reason = "disclosure.publication.ended_early"
            pub._history_user = by
            pub.save()
            record(
                "disclosure.publication.ended_early",
                obj=pub,
                actor=by,
                detail={"confirmations": pub.early_end_confirmations, "note": pub.end_reason},
            )
            PUBLICATIONS.renew(publication_key(pub.pk))
        return self._take(pub)

    def close_without_publishing(self, *, by, reason: str) -> "Publication":
        """A draft that must not be published after all (e.g. the decision was corrected before publication,
        or the reviewer found the case's core facts secret): closed with the reason, kept."""
        reason = (reason or "").strip()
        if not reason:
            raise _refuse(self, "请写明不予公示的理由。")
        with transaction.atomic():
            pub = self._locked()
            pub._require_draft()
            pub.status = PublicationStatus.NOT_PUBLISHED
            pub.not_published_reason = reason
            pub._change_reason = "disclosure.publication.not_published"
            pub._history_user = by
            pub.save()
            record("disclosure.publication.not_published", obj=pub, actor=by, detail={"reason": reason})
        return self._take(pub)

    def add_redaction(self, *, by, start: int, end: int, kind: str):
        """The reviewer hides one more span of the issued text (总局令第45号 第七条: every redaction is logged);
        it must not overlap an active redaction."""
        with transaction.atomic():
            pub = self._locked()
            pub._require_draft()
            text = pub.original_text
            if not (0 <= start < end <= len(text)):
                raise _refuse(pub, "所选位置超出决定书原文范围。")
            if kind not in redaction.KIND_LABELS:
                raise _refuse(pub, "请选择隐去的信息类别。")
            for other in pub.redactions.filter(removed_at__isnull=True):
                if other.start < end and start < other.end:
                    raise _refuse(pub, "所选文字与已隐去的内容重叠。")
            original = text[start:end]
            if kind in (redaction.NAME, redaction.PARTY_NAME):
                replacement = redaction.mask_name(original)
            else:
                replacement = redaction.REPLACEMENTS.get(kind, redaction.REPLACEMENTS[redaction.OTHER])
            item = pub.redactions.create(
                start=start,
                end=end,
                kind=kind,
                original=original,
                replacement=replacement,
                source=RedactionSource.REVIEWER,
                created_by=by,
            )
            record(
                "disclosure.publication.redaction_added",
                obj=pub,
                actor=by,
                detail={"redaction": item.pk, "start": start, "end": end, "kind": kind},
            )
        return item

    def add_redactions_of_text(self, *, by, needle: str, kind: str) -> int:
        """Hide every occurrence of `needle` not already hidden (the reviewer types a name seen in the text)."""
        needle = needle.strip()
        if not needle:
            raise _refuse(self, "请填写要隐去的文字。")
        added = 0
        with transaction.atomic():
            pub = self._locked()
            pub._require_draft()
            taken = [(r.start, r.end) for r in pub.redactions.filter(removed_at__isnull=True)]
            start = pub.original_text.find(needle)
            while start != -1:
                end = start + len(needle)
                if not any(s < end and start < e for s, e in taken):
                    pub.add_redaction(by=by, start=start, end=end, kind=kind)
                    taken.append((start, end))
                    added += 1
                start = pub.original_text.find(needle, end)
        if not added:
            raise _refuse(self, "原文中没有找到该文字，或该文字已全部隐去。")
        return added

    def remove_redaction(self, *, by, redaction_id: int, reason: str) -> None:
        """The reviewer un-hides a span (e.g. a shop address that is part of the facts). Kept, marked removed."""
        with transaction.atomic():
            pub = self._locked()
            pub._require_draft()
            item = pub.redactions.filter(pk=redaction_id, removed_at__isnull=True).first()
            if item is None:
                raise _refuse(pub, "该隐去记录不存在或已取消。")
            item.removed_at = timezone.now()
            item.removed_by = by
            item.removal_reason = reason.strip()[:200]
            item.save(update_fields=["removed_at", "removed_by", "removal_reason"])
            record(
                "disclosure.publication.redaction_removed",
                obj=pub,
                actor=by,
                detail={"redaction": item.pk, "kind": item.kind, "reason": item.removal_reason},
            )
