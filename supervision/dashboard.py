"""监督检查 dashboard: the figures the 政策法规股 and the bureau heads watch, and the list behind each figure.

Each figure (FIGURES) belongs to one panel; a panel's source reads the three systems and the roster once and
returns one Item per thing to follow up (a late deadline, an act without audio-video, an unpublished
decision, a review round, a person ...). Counts, breakdowns by unit and by officer, and the drill-down lists
are all computed from the same items, so a figure and its list never disagree. Each source runs a fixed
number of queries whatever the data size (the bureau has at most a few hundred open cases; the filters by
unit and officer are applied to the items in Python for the same reason).

Why this module is about 500 lines: the seven sources stay together on purpose, each read beside the others it
is counted and compared with (the same Item, the same timing words, the same window); the parts that stand on
their own are already apart — the figure catalogue (dashboard_figures.py) and the bulk visibility rules of
the drill-down lists (dashboard_access.py).

Who an item is "about" (Item.people, what the officer filter and the by-officer breakdown read): the case's
assigned officers for deadlines and unpublished decisions; the officers present at the act (else the case's
officers) for audio-video; the reviewer and the case's officers for review rounds; the holder for
certificates; the person for training. Notice items are addressed to units only (by_officer False).
"""

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Coalesce, Trim, TruncDate
from django.urls import reverse
from django.utils import timezone

from legal_review.models import ChecklistItem, CheckResult, ReviewRound, RoundStatus
from recording.doctypes import REGISTRY
from recording.models import Classification, Document, DocumentStatus
from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.deadlines import (
    WORKING_DAYS,
    Deadline,
    make_deadline,
)
from wuding_enforcement.cases.models import (
    Case,
    CaseOfficer,
)
from wuding_enforcement.cases.workflow import FINISHED_STAGES, Procedure
from wuding_enforcement.roster import training
from wuding_enforcement.roster.certification import entitlement_on
from wuding_enforcement.roster.models import CertificateStatus, Role, Staff, Unit
from wuding_enforcement.shared.chinese import cn_date

from . import dashboard_deadlines as deadlines_sql
from .dashboard_access import classified_case_ids, may_see_classified_ids, visible_case_ids  # noqa: F401
from .dashboard_figures import (  # noqa: F401
    AMBER,
    CASE_FIELDS,
    FIGURES,
    INFO,
    PANELS,
    PERSON_FIELDS,
    RED,
    WINDOW_DAYS,
    Figure,
)
from .models import NoticeItem
from .reminders import CERTIFICATE_WARNING_DAYS


@dataclass
class Item:
    figure: str
    level: str  # RED or AMBER (or INFO): the row's flag
    unit: Unit | None
    people: tuple[Staff, ...]
    subject: str
    ref: str = ""  # the row behind the item, "<model>:<pk>"
    cases: tuple[Case, ...] = ()
    url: str = ""  # where the subject links to, when it has its own page supervisors may open
    due: datetime.date | None = None
    timing: str = ""
    detail: str = ""
    # The detail comes from a classified record (个人隐私, 商业秘密, 国家秘密) of the (first) case.
    detail_classified: bool = False
    sort_key: tuple = field(default=(), repr=False)


def timing(deadline: Deadline) -> str:
    # One wording for every page: Deadline.timing (the home page prints the same words).
    return deadline.timing


def _officers(case) -> tuple[Staff, ...]:
    return tuple(a.officer for a in case.assignments.all())


def _assignments_prefetch(path: str) -> Prefetch:
    return Prefetch(path, queryset=CaseOfficer.objects.select_related("officer"))


# --- 1. Deadlines ----------------------------------------------------------------------------------------


def deadline_item(row, figure: str, today: datetime.date, now: datetime.datetime) -> Item:
    """The Item of one row of the deadline table (fetched with dashboard_deadlines.page_rows)."""
    d = row.as_deadline(today, now)
    case = row.case
    return Item(
        figure=figure,
        level=RED if figure == "overdue" else AMBER,
        unit=case.handling_unit,
        people=_officers(case),
        cases=(case,),
        subject=d.name,
        ref=f"case:{case.pk}:{d.key}",
        due=d.due,
        timing=timing(d),
        detail=d.basis,
        sort_key=(d.due, case.pk),
    )


def deadline_items(today: datetime.date) -> list[Item]:
    """Overdue (red) and soon-due (amber) open deadlines of the active cases: the foundation's clocks and
    every system's registered ones, read from the deadline table (dashboard_deadlines.py; the table is
    brought up to date first). The dashboard and its lists count and page these in SQL; this full list
    serves collect() callers that want every item. Queries: the stale marks (and the refresh when any),
    then per figure the rows, their cases' officers."""
    deadlines_sql.refresh()
    now = deadlines_sql.moment(today)
    items = []
    for figure in deadlines_sql.FIGURES:
        for row in deadlines_sql.page_rows(deadlines_sql.rows(figure, today)):
            items.append(deadline_item(row, figure, today, now))
    return items


# --- 2. Audio-video ----------------------------------------------------------------------------------------


def av_rules() -> tuple[list[str], list[str]]:
    """The document types whose act must be recorded on audio-video throughout ('mandatory': 查封扣押, acts in
    the 执法办案场所) and those recorded 'as circumstances require' (现场执法, 调查取证, 听证), from the types
    themselves (DocumentType.av, read by recording's audio_video gate)."""
    mandatory = sorted(k for k, t in REGISTRY.items() if t.av == "mandatory")
    as_needed = sorted(k for k, t in REGISTRY.items() if t.av == "as_needed")
    return mandatory, as_needed


def av_items(today: datetime.date) -> list[Item]:
    """Acts that need audio-video (recording/builtin_gates.audio_video; 送达回证 by 留置送达 or 公告送达,
    recording/doctypes/service.service_receipt_av) and have no live (not voided) video or audio linked.

    The issuing gates refuse an issued act without AV unless (as_needed only) a reason is written, so:
    - 'av-exempted': issued, as_needed, no AV, a reason given — listed with the reason for the supervisors
      to judge whether text alone really recorded the act fully;
    - 'av-missing': issued with neither (possible when the AV was voided after issuing, or for acts issued
      before the rule), and drafts of active cases whose act already took place (act date before today)
      with no AV where AV is mandatory or no reason where it is as_needed — the gap the gate will stop at
      issuing, shown while it can still be fixed. A draft's reason is not final, so drafts are never
      'exempted'; a document superseded by an issued correction is replaced by the correction.
    Only acts of the last WINDOW_DAYS (act date, else issuing or drafting date) are counted.
    Three queries: the documents, their officers present, the cases' officers."""
    mandatory, as_needed = av_rules()
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    documents = (
        Document.objects.under_av_rule()
        .exclude(superseded_by__status=DocumentStatus.ISSUED)
        .with_live_av()
        .annotate(
            reason=Trim("av_exemption"),
            on=Coalesce("act_date", TruncDate("issued_at"), TruncDate("created_at")),
        )
        .filter(has_av=False, on__gte=since)
        .select_related("case__handling_unit")
        .prefetch_related("officers", _assignments_prefetch("case__assignments"))
        .order_by("-on", "-pk")
    )
    items = []
    for doc in documents:
        rule = "mandatory" if doc.doc_type in mandatory else "as_needed"
        issued = doc.status == DocumentStatus.ISSUED
        if issued:
            figure = "av-exempted" if rule == "as_needed" and doc.reason else "av-missing"
        else:
            act_done = doc.act_date is not None and doc.act_date < today
            if doc.case.stage in FINISHED_STAGES or not act_done:
                continue
            if rule == "as_needed" and doc.reason:
                continue
            figure = "av-missing"
        if doc.number:
            label = f"{doc.type_title} {doc.number}"
        elif doc.file_seq:
            label = f"{doc.type_title}（卷内第{doc.file_seq}号）"
        else:
            label = f"{doc.type_title}（{doc.get_status_display()}）"
        if figure == "av-exempted":
            detail = doc.reason
        elif rule == "mandatory":
            detail = "须全程音像记录（查封扣押等），不得以文字说明代替。"
        else:
            detail = "须关联音像记录，或说明文字记录足以全面有效记录的理由。"
        present = tuple(doc.officers.all()) or _officers(doc.case)
        items.append(
            Item(
                figure=figure,
                level=RED if figure == "av-missing" else AMBER,
                unit=doc.case.handling_unit,
                people=present,
                cases=(doc.case,),
                subject=label,
                ref=f"document:{doc.pk}",
                due=doc.on,
                timing=doc.get_status_display(),
                detail=detail,
                detail_classified=figure == "av-exempted" and doc.classification != Classification.GENERAL,
                sort_key=(-doc.on.toordinal(), -doc.pk),
            )
        )
    return items


# --- 3. Publication ----------------------------------------------------------------------------------------


def publication_items(today: datetime.date) -> list[Item]:
    """The publication panel's items: drafts past their due date, late withdrawals, exemptions."""
    return publication_draft_items(today) + withdrawal_items(today) + exemption_items(today)


def publication_draft_items(today: datetime.date) -> list[Item]:
    """Publication drafts of 行政处罚决定书 past their due date (总局令第45号; 国办发〔2018〕118号: 7 working
    days by default): disclosure's Publication in status 待审核 with due_on before today. Two queries."""
    from disclosure.deadlines import deadline_status
    from disclosure.models import Publication, PublicationStatus

    publications = (
        Publication.objects.filter(status=PublicationStatus.DRAFT, due_on__lt=today)
        .select_related("case__handling_unit")
        .prefetch_related(_assignments_prefetch("case__assignments"))
        .order_by("due_on", "pk")
    )
    items = []
    for pub in publications:
        d = deadline_status(pub, today)
        items.append(
            Item(
                figure="unpublished",
                level=RED,
                unit=pub.case.handling_unit,
                people=_officers(pub.case),
                cases=(pub.case,),
                subject=f"{pub.document_number}（{cn_date(pub.decided_on)}决定）",
                ref=f"publication:{pub.pk}",
                due=pub.due_on,
                timing=timing(d),
                detail="公示稿待审核发布",
                sort_key=(pub.due_on, pub.pk),
            )
        )
    return items


def withdrawal_items(today: datetime.date) -> list[Item]:
    """Published decisions changed, revoked or confirmed illegal or void whose 3-working-day withdrawal is past
    (行政处罚法 第四十八条; Publication.objects.withdrawal_overdue, the rule the reminders and the case page's
    clock follow) — whatever the case's stage: a 复议 often comes after 结案. Three queries."""
    from disclosure.deadlines import withdrawal_deadline
    from disclosure.models import Publication

    overdue = Publication.objects.withdrawal_overdue(today)
    cases = {
        c.pk: c
        for c in Case.objects.filter(pk__in=[p.case_id for p in overdue])
        .select_related("handling_unit")
        .prefetch_related(_assignments_prefetch("assignments"))
    }
    items = []
    for pub in overdue:
        case = cases[pub.case_id]
        clock = withdrawal_deadline(pub, today)
        change = pub.changes.order_by("-received_on", "-pk").first()
        items.append(
            Item(
                figure="withdrawal-overdue",
                level=RED,
                unit=case.handling_unit,
                people=_officers(case),
                cases=(case,),
                subject=pub.document_number,
                ref=f"publication:{pub.pk}",
                due=clock.due if clock else None,
                timing=timing(clock) if clock else "",
                detail=(
                    f"{change.instrument}（{change.get_kind_display()}，{cn_date(change.received_on)}送达本局）"
                    if change is not None
                    else "决定书已被更正"
                ),
                sort_key=(clock.due if clock else today, pub.pk),
            )
        )
    return items


def exemption_items(today: datetime.date) -> list[Item]:
    """不予公示 requests approved by a bureau head within the window (总局令第45号: the exemption is shown on
    the dashboard). One query."""
    from disclosure.models import ExemptionStatus, PublicationExemption

    since = today - datetime.timedelta(days=WINDOW_DAYS)
    exemptions = (
        PublicationExemption.objects.filter(status=ExemptionStatus.APPROVED, decided_at__date__gte=since)
        .select_related("case__handling_unit", "decided_by")
        .prefetch_related(_assignments_prefetch("case__assignments"))
        .order_by("-decided_at", "-pk")
    )
    items = []
    for n, ex in enumerate(exemptions):
        decided = timezone.localdate(ex.decided_at) if ex.decided_at else None
        items.append(
            Item(
                figure="publication-exempt",
                level=INFO,
                unit=ex.case.handling_unit,
                people=_officers(ex.case),
                cases=(ex.case,),
                subject=ex.case.number,
                ref=f"exemption:{ex.pk}",
                due=decided,
                timing=ex.decided_by.display_name if ex.decided_by else "",
                detail=f"{ex.get_ground_display()}{'：' + ex.decision_note if ex.decision_note else ''}",
                detail_classified=True,
                sort_key=(n,),
            )
        )
    return items


# --- 3a. 行政检查 -------------------------------------------------------------------------------------------------


def inspection_items(today: datetime.date) -> list[Item]:
    """The inspections supervision must look at (inspection/oversight.py, the rules of the inspection system):
    results not published in time, over the cap, repeated, emergencies awaiting approval, open complaints and
    low ratings — ratings and complaints are anonymous to the inspecting unit, shown here only. A fixed number
    of queries: oversight's, then the cases and their officers of all listed inspections at once."""
    from inspection import oversight

    year = today.year
    flagged = oversight.flagged(year)
    unpublished = [i for i in oversight.publication_overdue(today) if not i.published_at]
    repeated = oversight.repeated(year)
    complaints = oversight.complaints(open_only=True)
    low = oversight.low_ratings(year)
    inspections = [
        *unpublished,
        *flagged["over_cap"],
        *flagged["awaiting_approval"],
        *(after for _, after in repeated),
        *(c.inspection for c in complaints),
        *(r.inspection for r in low),
    ]
    case_ids = {i.case_id for i in inspections if i.case_id}
    cases = {
        c.pk: c
        for c in Case.objects.filter(pk__in=case_ids)
        .select_related("handling_unit")
        .prefetch_related(_assignments_prefetch("assignments"))
    }

    def item(inspection, figure, level, *, due=None, timing_text="", detail="", ref="", sort=(), url=""):
        case = cases.get(inspection.case_id)
        return Item(
            figure=figure,
            level=level,
            unit=inspection.unit,
            people=_officers(case) if case else (),
            cases=(case,) if case else (),
            subject=inspection.number,
            ref=ref or f"inspection:{inspection.pk}",
            url=url or reverse("inspection:detail", args=[inspection.pk]),
            due=due,
            timing=timing_text,
            detail=detail,
            sort_key=sort or (due or today, inspection.pk),
        )

    items = []
    for i in unpublished:
        due = i.publication_due()
        late = calendar.working_days_between(due, today) if due else 0
        items.append(
            item(
                i,
                "inspection-unpublished",
                RED,
                due=due,
                timing_text=f"逾期{late}个工作日",
                detail=f"{i.entity.name}：{i.item.item}",
            )
        )
    for i in flagged["over_cap"]:
        items.append(
            item(
                i,
                "inspection-over-cap",
                AMBER,
                due=i.planned_on,
                timing_text=i.get_kind_display(),
                detail=i.over_cap_reason,
            )
        )
    for i in flagged["awaiting_approval"]:
        items.append(item(i, "inspection-emergency", RED, due=i.planned_on, detail=i.emergency_reason))
    for before, after in repeated:
        items.append(
            item(
                after,
                "inspection-repeated",
                AMBER,
                due=after.planned_on,
                timing_text=f"{before.number}（{cn_date(before.planned_on)}）",
                detail=after.entity.name,
                ref=f"inspection-pair:{before.pk}:{after.pk}",
            )
        )
    for c in complaints:
        kind = c.get_kind_display() + (f"（{c.officer.display_name}）" if c.officer is not None else "")
        if c.is_overdue(today):  # a 回避 request past its answer day (Complaint.answer_due)
            kind += f"，已逾期（应于{cn_date(c.answer_due)}前答复）"
        items.append(
            item(
                c.inspection,
                "inspection-complaints",
                RED,
                due=timezone.localdate(c.at),
                timing_text=kind,
                detail=c.text,
                ref=f"complaint:{c.pk}",
                sort=(c.at, c.pk),
                # The complaint's handling page (inspection/views_feedback.py), not the unit's task page.
                url=reverse("inspection:complaint", args=[c.pk]),
            )
        )
    for r in low:
        items.append(
            item(
                r.inspection,
                "inspection-low-rating",
                INFO,
                due=timezone.localdate(r.at),
                timing_text=f"{r.score}星",
                detail=r.comment,
                ref=f"rating:{r.pk}",
                sort=(r.at, r.pk),
            )
        )
    return items


# --- 4. Legal review ---------------------------------------------------------------------------------------


def review_items(today: datetime.date) -> list[Item]:
    """Open review rounds (送审, not yet decided) — each in 'review-backlog', the late ones also in
    'review-overdue' — and the rounds returned (修改后再报) in the last WINDOW_DAYS with the problems the
    reviewer recorded on the seven points, and whether the case was resubmitted since. Three queries: the
    rounds, their problem points, the cases' officers."""
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    later = ReviewRound.objects.filter(case=OuterRef("case"), number__gt=OuterRef("number"))
    rounds = (
        ReviewRound.objects.filter(
            Q(status__in=[RoundStatus.SUBMITTED, RoundStatus.IN_REVIEW])
            | Q(status=RoundStatus.RETURNED, decided_on__gte=since)
        )
        .for_rows()
        .annotate(resubmitted=Exists(later))
        .prefetch_related(
            Prefetch(
                "checklist",
                queryset=ChecklistItem.objects.filter(result=CheckResult.PROBLEM).order_by("point"),
                to_attr="problems",
            ),
            _assignments_prefetch("case__assignments"),
        )
        .order_by("due_on", "pk")
    )
    items = []
    for r in rounds:
        people = ((r.reviewer,) if r.reviewer else ()) + tuple(
            p for p in _officers(r.case) if p.pk != r.reviewer_id
        )
        subject = f"第{r.number}轮（{cn_date(r.submitted_on)}送审）"
        common: dict[str, Any] = {
            "unit": r.case.handling_unit,
            "people": people,
            "cases": (r.case,),
            "subject": subject,
            "ref": f"round:{r.pk}",
        }
        if r.status == RoundStatus.RETURNED:
            problems = [f"{item.get_point_display()}：{item.comment}".rstrip("：") for item in r.problems]
            items.append(
                Item(
                    figure="review-returned",
                    level=INFO,
                    due=r.decided_on,
                    timing="已重新送审" if r.resubmitted else "尚未重新送审",
                    detail="\n".join(problems) or r.opinion or "（未记录具体问题）",
                    sort_key=(-r.decided_on.toordinal(), r.pk),
                    **common,
                )
            )
            continue
        d = make_deadline(
            key=f"review-{r.pk}",
            name="法制审核期限",
            basis="",
            start=r.submitted_on,
            due=r.due_on,
            unit=WORKING_DAYS,
            limit=max(1, calendar.working_days_between(r.submitted_on, r.due_on)),
            today=today,
        )
        reviewer = r.reviewer.display_name if r.reviewer else "待分配审核人员"
        for figure in ("review-backlog", "review-overdue") if d.is_overdue else ("review-backlog",):
            items.append(
                Item(
                    figure=figure,
                    level=RED if d.is_overdue else AMBER,
                    due=r.due_on,
                    timing=timing(d),
                    detail=f"{reviewer}（{r.get_status_display()}）",
                    sort_key=(r.due_on, r.pk),
                    **common,
                )
            )
    return items


def review_override_items(today: datetime.date) -> list[Item]:
    """Rounds decided in the last WINDOW_DAYS where the reviewer passed a point the pre-check had flagged
    (legal_review: ChecklistItem.objects.overridden()), with each point's reason. One query: the overridden
    points with their rounds, grouped here by round."""
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    points = (
        ChecklistItem.objects.overridden()
        .filter(round__decided_on__gte=since)
        .select_related("round__case__handling_unit", "round__reviewer")
        .order_by("-round__decided_on", "round_id", "point")
    )
    by_round: dict[int, list] = {}
    for point in points:
        by_round.setdefault(point.round_id, []).append(point)
    items = []
    for overridden in by_round.values():
        r = overridden[0].round
        items.append(
            Item(
                figure="review-overridden",
                level=INFO,
                unit=r.case.handling_unit,
                people=(r.reviewer,) if r.reviewer else (),
                cases=(r.case,),
                subject=f"第{r.number}轮（{cn_date(r.submitted_on)}送审）",
                ref=f"round:{r.pk}",
                due=r.decided_on,
                timing=r.get_status_display(),
                detail="\n".join(f"第{i.point}项：{i.override_reason}" for i in overridden),
                sort_key=(-r.decided_on.toordinal(), r.pk),
            )
        )
    return items


# --- 5. Certificates ---------------------------------------------------------------------------------------


def certificate_items(today: datetime.date) -> list[Item]:
    """Officers assigned to an active case who have no certificate valid today (expired, suspended,
    revoked, cancelled, or none: they may not act, 行政处罚法 第四十二条), or whose latest valid certificate
    expires within CERTIFICATE_WARNING_DAYS. A person holding a newer valid certificate is fine whatever
    their old ones say. Two or three queries: the officers of the active cases with their unit, their
    certificates, and the active cases of the people flagged (none when nobody is)."""
    # The people assigned to an active case, without their cases: thousands of active assignments at a
    # province's scale, of which only the people flagged below need their cases (fetched at the end). EXISTS
    # per person (their first active assignment on the officer index) rather than the distinct officers of
    # every active assignment: 16 ms -> 2 ms at 50,000 cases.
    assigned = Exists(CaseOfficer.objects.filter(officer=OuterRef("pk"), case__in=Case.objects.active()))
    staff = Staff.objects.filter(assigned).select_related("unit").prefetch_related("certificates")
    horizon = today + datetime.timedelta(days=CERTIFICATE_WARNING_DAYS)
    items = []
    for person in staff.order_by("pk"):
        # Whether they may enforce today, and on which certificate: the one rule (roster/certification.py).
        entitlement = entitlement_on(person, today)
        common: dict[str, Any] = {
            "unit": person.unit,
            "people": (person,),
            "ref": f"staff:{person.pk}",
        }
        best = entitlement.certificate
        if best is not None:
            if best.expires_on > horizon:
                continue
            left = (best.expires_on - today).days
            items.append(
                Item(
                    figure="cert-expiring",
                    level=AMBER,
                    subject=f"{person.display_name}：{best.get_kind_display()} {best.number}",
                    due=best.expires_on,
                    timing="今日到期" if left == 0 else f"{left}天后到期",
                    sort_key=(best.expires_on, person.pk),
                    **common,
                )
            )
            continue
        # Not entitled: show the latest certificate's own status (or none held).
        certificates = list(person.certificates.all())
        latest = max(certificates, key=lambda c: c.expires_on, default=None)
        if latest is None:
            subject, status, due = f"{person.display_name}：未持有执法证件", "未持证", None
        else:
            subject = f"{person.display_name}：{latest.get_kind_display()} {latest.number}"
            status = latest.status_label_on(today)
            if latest.status_on(today) not in (CertificateStatus.EXPIRED, CertificateStatus.VALID):
                status += f"（{cn_date(latest.status_since)}起）"
            elif latest.issued_on > today:
                status = f"尚未生效（{cn_date(latest.issued_on)}发证）"
            due = latest.expires_on
        items.append(
            Item(
                figure="cert-invalid",
                level=RED,
                subject=subject,
                due=due,
                timing=status,
                sort_key=(due or datetime.date.min, person.pk),
                **common,
            )
        )
    # The active cases of the people flagged, as objects (their list shows them): one query, none when nobody
    # is. Hundreds of cases per person at a province's scale: only what an item's case is read for (its
    # number, title, procedure, unit: CASE_FIELDS).
    if items:
        theirs: dict[int, list[Case]] = {}
        flagged = CaseOfficer.objects.filter(
            officer_id__in=[item.people[0].pk for item in items], case__in=Case.objects.active()
        )
        flagged = flagged.select_related("case__handling_unit").only(
            "officer_id", "case", *(f"case__{name}" for name in CASE_FIELDS)
        )
        for assignment in flagged.order_by("officer_id", "case_id"):
            theirs.setdefault(assignment.officer_id, []).append(assignment.case)
        for item in items:
            item.cases = tuple(theirs.get(item.people[0].pk, ()))
    return items


# --- 6. Training -------------------------------------------------------------------------------------------


def training_items(today: datetime.date) -> list[Item]:
    """People behind the yearly minimum of their roles for the current year (roster/training.py). Two
    queries: the requirement, the people with their hours, roles and whether they hold a certificate."""
    items = []
    for s in training.statuses(today.year):
        if not s.behind:
            continue
        roles = "、".join(
            str(r.label) for r in (Role.OFFICER, Role.LEGAL_REVIEWER) if r.value in s.person.role_names
        )
        items.append(
            Item(
                figure="training-behind",
                level=AMBER,
                unit=s.person.unit,
                people=(s.person,),
                subject=f"{s.person.display_name}（{roles or '持证人员'}）",
                ref=f"staff:{s.person.pk}",
                timing=f"{s.hours:.1f}学时 / 最低{s.minimum:.1f}学时",
                detail=f"{s.missing:.1f}学时",
                sort_key=(-s.missing, s.person.pk),
            )
        )
    return items


# --- 7. Notices --------------------------------------------------------------------------------------------


def notice_items(today: datetime.date) -> list[Item]:
    """Items of issued 督查通报 past their rectification date and not closed (NoticeItem.objects.overdue). One
    query."""
    items = []
    for item in NoticeItem.objects.overdue(today).select_related("notice", "unit").order_by("due_on", "pk"):
        late = (today - item.due_on).days
        items.append(
            Item(
                figure="notices-overdue",
                level=RED,
                unit=item.unit,
                people=(),
                subject=item.notice.number,
                ref=f"notice_item:{item.pk}",
                url=reverse("supervision:notice", args=[item.notice_id]),
                due=item.due_on,
                timing=f"已逾期{late}天（{item.get_status_display()}）",
                detail=item.problem,
                sort_key=(item.due_on, item.pk),
            )
        )
    return items


SOURCES = {
    "deadlines": deadline_items,
    "av": av_items,
    "publication": publication_items,
    "inspection": inspection_items,
    "review": lambda today: review_items(today) + review_override_items(today),
    "certificates": certificate_items,
    "training": training_items,
    "notices": notice_items,
}


# The parts the dashboard keeps apart in the cache (supervision/figure_cache.py PANELS, each renewed by a save
# of what it reads): every panel but the deadlines, the publication panel in two — its late withdrawals read
# the documents (a correction supersedes one), its drafts and exemptions do not, so a document's save leaves
# them cached. Part -> (panel, source).
PARTS: dict[str, tuple[str, Callable[[datetime.date], list[Item]]]] = {
    "av": ("av", av_items),
    "publication": ("publication", lambda today: publication_draft_items(today) + exemption_items(today)),
    "withdrawal": ("publication", withdrawal_items),
    "inspection": ("inspection", inspection_items),
    "review": ("review", SOURCES["review"]),
    "certificates": ("certificates", certificate_items),
    "training": ("training", training_items),
    "notices": ("notices", notice_items),
}


def collect_part(today: datetime.date, part: str) -> dict[str, list[Item]]:
    """collect() for one part (PARTS): the items of each figure its source gives, in the figure's order (a
    figure of which the source gives no item is not there)."""
    _, source = PARTS[part]
    result: dict[str, list[Item]] = {}
    with calendar.cached():
        for item in source(today):
            result.setdefault(item.figure, []).append(item)
    for items in result.values():
        items.sort(key=lambda i: i.sort_key)
    return result


def collect(today: datetime.date, panels: Iterable[str] | None = None) -> dict[str, list[Item]]:
    """The items of every figure of the given panels (all by default), keyed by figure slug, each list in
    its figure's order. The working-day calendar table is read once for all of them."""
    panels = list(panels) if panels is not None else list(PANELS)
    result: dict[str, list[Item]] = {slug: [] for slug, f in FIGURES.items() if f.panel in panels}
    with calendar.cached():
        for panel in panels:
            for item in SOURCES[panel](today):
                result[item.figure].append(item)
    for items in result.values():
        items.sort(key=lambda i: i.sort_key)
    return result


PROCEDURES = {"penalty": "行政处罚", "inspection": "行政检查"}


def procedure_of(item: Item) -> str:
    """ "inspection" for the 行政检查 panel's items and items of inspection cases, else "penalty"; items about
    no case (training, notices) belong to both ("")."""
    if FIGURES[item.figure].panel == "inspection":
        return "inspection"
    if not item.cases:
        return ""
    return "inspection" if any(c.procedure == Procedure.INSPECTION for c in item.cases) else "penalty"


def filter_items(
    items: Iterable[Item], *, unit: Unit | None = None, officer: Staff | None = None, procedure: str = ""
):
    """Items of `unit` and/or about `officer` (figures not about people ignore the officer), of a procedure
    (处罚/检查; items about no case are kept under both)."""
    result = []
    for item in items:
        if procedure and procedure_of(item) not in ("", procedure):
            continue
        if unit is not None and (item.unit is None or item.unit.pk != unit.pk):
            continue
        about = {p.pk for p in item.people}
        if officer is not None and FIGURES[item.figure].by_officer and officer.pk not in about:
            continue
        result.append(item)
    return result


def by_unit(items: Iterable[Item]) -> Counter:
    """Unit id (None for people without a unit) -> number of items."""
    return Counter(item.unit.pk if item.unit else None for item in items)


def by_officer(items: Iterable[Item]) -> tuple[Counter, dict[int, Staff]]:
    """Staff id -> number of items about them (an item about two officers counts for each), and the people."""
    counts: Counter = Counter()
    people: dict[int, Staff] = {}
    for item in items:
        for person in {p.pk: p for p in item.people}.values():
            counts[person.pk] += 1
            people[person.pk] = person
    return counts, people
