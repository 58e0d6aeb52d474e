"""记录统计 (发挥记录实效): every figure on hand-built data whose expected value is worked out here from the
dates the data was given, grouped by each dimension, the page, the Excel and CSV exports read back, who may
see them, and the fixed number of queries.

The data is stored directly (stage changes as CaseTransition rows with the case's date fields, issued
documents, review rounds with their checklists, publications): the statistics read exactly these rows, and
the rules that guard writing them are tested in tests/cases, tests/recording, tests/legal_review and
tests/disclosure. Time is frozen on Wednesday 25 November 2026."""

import csv
import datetime
import hashlib
import io
import itertools
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from openpyxl import load_workbook

from disclosure.models import Publication, PublicationStatus
from legal_review.models import ChecklistItem, CheckResult, ReviewRound, RoundStatus
from recording.models import Document, DocumentStatus, Evidence
from supervision import records_stats as stats
from supervision import views_stats
from tests.conftest import login_as, make_staff
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.models import Case, CaseTransition, PowerItem, PowerKind, RuleSettings
from wuding_enforcement.cases.workflow import DATE_FIELDS, Procedure, Stage
from wuding_enforcement.roster.models import Role

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=TZ)
TODAY = NOW.date()
D = datetime.date
URL = "/staff/supervision/statistics/"
XLSX_URL = "/staff/supervision/statistics/export.xlsx"
CSV_URL = "/staff/supervision/statistics/export.csv"
YEAR_2026 = stats.Period.of_year(2026)
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    # Saving publications renews the cached public pages (disclosure/cache.py).
    cache.clear()
    yield
    cache.clear()


def days(start, end):
    return (end - start).days


def avg(*values):
    """The mean in days, one decimal, halves rounded up (as Chinese statistics round)."""
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)


# --- Builders -------------------------------------------------------------------------------------------


def reach(case, stage, on, actor):
    """A stage change as Case.advance() stores it: the transition row and the case's key date."""
    previous = case.transitions.order_by("-at", "-pk").values_list("to_stage", flat=True).first()
    CaseTransition.objects.create(
        case=case, from_stage=previous or case.stage, to_stage=stage, actor=actor, on=on
    )
    if stage in DATE_FIELDS:
        Case.objects.filter(pk=case.pk).update(**{DATE_FIELDS[stage]: on})


def document(case, doc_type, *, by, day=None, status=DocumentStatus.ISSUED, issued_on=None, **extra):
    n = next(_seq)
    issued_on = issued_on or day
    return Document.objects.create(
        case=case,
        doc_type=doc_type,
        status=status,
        act_date=day,
        pdf_sha256=hashlib.sha256(f"doc{n}".encode()).hexdigest() if status == DocumentStatus.ISSUED else "",
        issued_at=datetime.datetime.combine(issued_on, datetime.time(10), TZ)
        if status == DocumentStatus.ISSUED
        else None,
        issued_by=by if status == DocumentStatus.ISSUED else None,
        created_by=by,
        **extra,
    )


def av(doc, kind, *, voided=False):
    n = next(_seq)
    return Evidence.objects.create(
        case=doc.case,
        document=doc,
        kind=kind,
        title=f"执法记录仪{kind}{n}",
        file=f"evidence/test/{n}",
        mime="video/mp4" if kind == "video" else "audio/mpeg" if kind == "audio" else "image/jpeg",
        size=1024,
        sha256=hashlib.sha256(f"av{n}".encode()).hexdigest(),
        uploaded_by=doc.created_by,
        voided_at=NOW if voided else None,
        void_reason="误传" if voided else "",
    )


def review(case, number, status, *, due, decided=None, problems=(), by, reviewer):
    """A review round; a decided one carries its 7-point checklist with `problems` marked 存在问题."""
    round_ = ReviewRound.objects.create(
        case=case,
        number=number,
        status=status,
        proposal_hash="p" * 64,
        confirmation="承办单位对送审材料的真实性、完整性负责。",
        submitted_by=by,
        submitted_on=due - datetime.timedelta(days=14),
        due_on=due,
        reviewer=reviewer,
        decided_on=decided,
        decided_at=datetime.datetime.combine(decided, datetime.time(16), TZ) if decided else None,
        approved_hash="p" * 64 if status == RoundStatus.APPROVED else "",
    )
    if decided:
        for point in range(1, 8):
            ChecklistItem.objects.create(
                round=round_,
                point=point,
                result=CheckResult.PROBLEM if point in problems else CheckResult.PASS,
                comment="需补正" if point in problems else "",
            )
    return round_


def publication(case, *, due, by, status=PublicationStatus.DRAFT, published=None, **extra):
    decision = document(case, "penalty_decision", by=by, issued_on=case.decided_on or due)
    dates = {}
    if published:
        dates = {
            "published_on": published,
            "published_at": datetime.datetime.combine(published, datetime.time(9), TZ),
            "ends_on": published + datetime.timedelta(days=365 * 3),
        }
    return Publication.objects.create(
        document=decision,
        case=case,
        status=status,
        document_number=f"武市监处罚〔2026〕{next(_seq)}号",
        party_name="武定县某某商贸有限公司",
        party_kind="organisation",
        violation_type="经营超过保质期的食品",
        penalty_content="罚款5000元",
        authority="武定县市场监督管理局",
        unit=case.handling_unit,
        unit_name=case.handling_unit.name,
        decided_on=case.decided_on or due,
        original_text="行政处罚决定书",
        due_on=due,
        created_by=by,
        **dates,
        **extra,
    )


# --- The world ------------------------------------------------------------------------------------------


@pytest.fixture
def gaoqiao_officer(units):
    """钱多多, 赵敏's colleague at 高桥所."""
    return make_staff("qian_gaoqiao", "钱多多", units["gaoqiao"], Role.OFFICER)


@pytest.fixture
def world(make_case, units, officer, colleague, outsider, gaoqiao_officer, reviewer, bureau_head):
    """Cases A–H of 狮山所 (李桂芬, 王志强) and 高桥所 (赵敏), with their stages, acts, reviews and
    publications; the comments give what each one counts for."""
    food = PowerItem.objects.create(
        code="CF-SP-001", kind=PowerKind.PENALTY, field="食品安全", name="食品", legal_basis="食品安全法"
    )
    product = PowerItem.objects.create(
        code="CF-CP-001", kind=PowerKind.PENALTY, field="产品质量", name="产品", legal_basis="产品质量法"
    )
    gaoqiao = {"by": outsider, "handling_unit": units["gaoqiao"], "officers": [outsider, gaoqiao_officer]}
    w = {"food": food, "product": product}

    # A 狮山 (李, 王), 食品安全: the whole life in 2026, a returned then approved review, published on time
    # and later withdrawn late (event 12 Oct, due 15 Oct after 3 working days, withdrawn 20 Oct).
    a = w["A"] = make_case(title="A", lead_date=D(2026, 3, 2), matters=[food])
    reach(a, Stage.FILED, D(2026, 3, 10), officer)
    reach(a, Stage.DECIDED, D(2026, 5, 8), officer)
    Case.objects.filter(pk=a.pk).update(served_on=D(2026, 5, 9))
    reach(a, Stage.CLOSED, D(2026, 5, 20), officer)
    reach(a, Stage.ARCHIVED, D(2026, 6, 1), officer)
    a.refresh_from_db()
    av(document(a, "onsite_record", by=officer, day=D(2026, 3, 12)), "video")  # covered
    av(document(a, "inquiry_record", by=officer, day=D(2026, 3, 15)), "audio")  # covered
    document(a, "evidence_extraction", by=officer, day=D(2026, 3, 15), av_exemption="文字记录足以反映")  # not
    av(document(a, "inquiry_notice", by=officer, day=D(2026, 3, 13)), "video")  # no AV rule: not an act
    av(document(a, "onsite_record", by=officer, day=D(2026, 3, 14), status=DocumentStatus.DRAFT), "video")
    review(a, 1, RoundStatus.RETURNED, due=D(2026, 4, 24), decided=D(2026, 4, 20), problems=(2, 3),
           by=officer, reviewer=reviewer)  # fmt: skip
    review(
        a, 2, RoundStatus.APPROVED, due=D(2026, 5, 15), decided=D(2026, 5, 6), by=officer, reviewer=reviewer
    )
    publication(a, due=D(2026, 5, 19), published=D(2026, 5, 15), by=officer, status=PublicationStatus.WITHDRAWN,
                withdrawal_event_on=D(2026, 10, 12), withdrawn_at=datetime.datetime(2026, 10, 20, 9, tzinfo=TZ),
                withdrawal_reason="处罚决定被依法变更", withdrawal_kind="changed")  # fmt: skip

    # B 狮山 (李 only), 产品质量: filed 20 Mar, never decided: its 90 days ran out on 18 Jun.
    b = w["B"] = make_case(title="B", lead_date=D(2026, 3, 16), matters=[product], officers=[officer])
    reach(b, Stage.FILED, D(2026, 3, 20), officer)
    review(
        b, 1, RoundStatus.APPROVED, due=D(2026, 6, 19), decided=D(2026, 6, 10), by=officer, reviewer=reviewer
    )

    # C 高桥 (赵, 钱), 食品安全 + 产品质量: filed 35 days after the lead (15 working days ran out on 23 Apr),
    # never decided (90 days ran out on 4 Aug), returned twice, the second time late (due 31 Jul).
    c = w["C"] = make_case(title="C", lead_date=D(2026, 4, 1), matters=[food, product], **gaoqiao)
    reach(c, Stage.FILED, D(2026, 5, 6), outsider)
    av(document(c, "onsite_record", by=outsider, day=D(2026, 5, 8)), "photo")  # photo only: not covered
    av(document(c, "sampling_record", by=outsider, day=D(2026, 5, 8)), "video", voided=True)  # not covered
    original = document(c, "onsite_record", by=outsider, day=D(2026, 5, 9))  # superseded: not counted
    av(document(c, "onsite_record", by=outsider, day=D(2026, 5, 9), supersedes=original), "video")  # covered
    av(document(c, "service_receipt", by=outsider, issued_on=D(2026, 6, 2), data={"method": "left"}), "video")
    document(c, "service_receipt", by=outsider, issued_on=D(2026, 6, 2), data={"method": "direct"})  # no rule
    review(c, 1, RoundStatus.RETURNED, due=D(2026, 7, 17), decided=D(2026, 7, 10), problems=(2, 6),
           by=outsider, reviewer=reviewer)  # fmt: skip
    review(c, 2, RoundStatus.RETURNED, due=D(2026, 7, 31), decided=D(2026, 8, 5), problems=(2,),
           by=outsider, reviewer=reviewer)  # fmt: skip
    review(c, 3, RoundStatus.IN_REVIEW, due=D(2026, 12, 4), by=outsider, reviewer=reviewer)  # not yet due

    # D 狮山 (王), no matter: a 2025 lead decided on 9 Feb 2026 (in time), first round refused, published
    # late (due 24 Feb, published 2 Mar).
    d = w["D"] = make_case(title="D", lead_date=D(2025, 12, 1), officers=[colleague])
    reach(d, Stage.FILED, D(2025, 12, 5), colleague)
    reach(d, Stage.DECIDED, D(2026, 2, 9), colleague)
    Case.objects.filter(pk=d.pk).update(served_on=D(2026, 2, 10))
    d.refresh_from_db()
    review(d, 1, RoundStatus.REFUSED, due=D(2026, 1, 20), decided=D(2026, 1, 15), problems=(4,),
           by=colleague, reviewer=reviewer)  # fmt: skip
    review(
        d, 2, RoundStatus.APPROVED, due=D(2026, 2, 6), decided=D(2026, 2, 2), by=colleague, reviewer=reviewer
    )
    publication(
        d, due=D(2026, 2, 24), published=D(2026, 3, 2), by=colleague, status=PublicationStatus.PUBLISHED
    )

    # E 狮山 (李), 简易程序 on 1 Jul: a case, nothing else.
    w["E"] = make_case(title="E", lead_date=D(2026, 7, 1), procedure=Procedure.SIMPLE, officers=[officer])

    # F 高桥 (赵, 钱), 食品安全: a lead of 1 Sep never decided upon (15 working days ran out in September).
    w["F"] = make_case(title="F", lead_date=D(2026, 9, 1), matters=[food], **gaoqiao)

    # G 狮山: all in 2025 (archived 1 Sep 2025): counts for nothing in 2026.
    g = w["G"] = make_case(title="G", lead_date=D(2025, 6, 1), matters=[food])
    for stage, on in [(Stage.FILED, D(2025, 6, 5)), (Stage.DECIDED, D(2025, 8, 1)),
                      (Stage.CLOSED, D(2025, 8, 20)), (Stage.ARCHIVED, D(2025, 9, 1))]:  # fmt: skip
        reach(g, stage, on, officer)
    Case.objects.filter(pk=g.pk).update(served_on=D(2025, 8, 2))
    g.refresh_from_db()
    av(document(g, "onsite_record", by=officer, day=D(2025, 6, 10)), "video")
    review(
        g, 1, RoundStatus.APPROVED, due=D(2025, 7, 25), decided=D(2025, 7, 20), by=officer, reviewer=reviewer
    )
    publication(
        g, due=D(2025, 8, 12), published=D(2025, 8, 10), by=officer, status=PublicationStatus.PUBLISHED
    )

    # H 狮山 (李, 王), 食品安全: decided 28 Aug; one publication still a draft after its due date (8 Sep),
    # one not to be published, one not yet due.
    h = w["H"] = make_case(title="H", lead_date=D(2026, 6, 1), matters=[food])
    reach(h, Stage.FILED, D(2026, 6, 3), officer)
    reach(h, Stage.DECIDED, D(2026, 8, 28), officer)
    Case.objects.filter(pk=h.pk).update(served_on=D(2026, 8, 29))
    h.refresh_from_db()
    publication(h, due=D(2026, 9, 8), by=officer)
    publication(h, due=D(2026, 9, 8), by=officer, status=PublicationStatus.NOT_PUBLISHED,
                not_published_reason="当事人为未成年人")  # fmt: skip
    publication(h, due=D(2026, 12, 2), by=officer)
    return w


# --- The figures, independently worked out -----------------------------------------------------------------

A_SPANS = [days(D(2026, 3, 2), D(2026, 3, 10)), days(D(2026, 3, 10), D(2026, 5, 8)),
           days(D(2026, 5, 8), D(2026, 5, 20)), days(D(2026, 5, 20), D(2026, 6, 1))]  # fmt: skip
B_LEAD_FILED = days(D(2026, 3, 16), D(2026, 3, 20))
C_LEAD_FILED = days(D(2026, 4, 1), D(2026, 5, 6))
D_FILED_DECIDED = days(D(2025, 12, 5), D(2026, 2, 9))
H_LEAD_FILED = days(D(2026, 6, 1), D(2026, 6, 3))
H_FILED_DECIDED = days(D(2026, 6, 3), D(2026, 8, 28))


def figures(row):
    return {
        "cases": row.cases,
        "spans": [(s.days, s.count) for s in row.spans],
        "returned": row.returned,
        "problems": [(p.label, p.count) for p in row.problems],
        "overdue": row.overdue,
        "av": (row.av.num, row.av.den),
        "publication": (row.publication.num, row.publication.den),
        "first_pass": (row.first_pass.num, row.first_pass.den),
    }


def test_the_total_row_counts_each_figure_once(world):
    total = stats.build_report(YEAR_2026, stats.UNIT).total
    assert figures(total) == {
        # A, B, C, E (简易程序), F, H; D and G were registered in 2025.
        "cases": 6,
        "spans": [
            (avg(A_SPANS[0], B_LEAD_FILED, C_LEAD_FILED, H_LEAD_FILED), 4),
            (avg(A_SPANS[1], D_FILED_DECIDED, H_FILED_DECIDED), 3),
            (avg(A_SPANS[2]), 1),
            (avg(A_SPANS[3]), 1),
        ],
        # A round 1, C rounds 1 and 2 (D's refused round is not a return).
        "returned": 3,
        "problems": [("执法程序", 3), ("事实与证据", 1), ("文书规范", 1)],
        # C's filing, B's and C's decision, F's filing, C's second review, D's and H's publication, A's
        # withdrawal.
        "overdue": 8,
        # A: onsite (video), inquiry (audio), extraction (reason given); C: onsite (photo), sampling
        # (voided video), corrected onsite (video), 留置送达 receipt (video).
        "av": (4, 7),
        # A on time, D late, H unpublished past its due date; H's other two are not counted.
        "publication": (1, 3),
        # First rounds decided in 2026: A returned, B approved, C returned, D refused.
        "first_pass": (1, 4),
    }
    assert total.av.display == "4/7，57.1%"
    assert total.first_pass.display == "1/4，25.0%"
    assert total.spans[0].display == "12.3"  # 49 / 4 = 12.25, rounded half up


def test_grouped_by_unit(world, units):
    report = stats.build_report(YEAR_2026, stats.UNIT)
    rows = {row.label: figures(row) for row in report.rows}
    assert list(rows) == ["狮山市场监督管理所", "高桥市场监督管理所"]
    shishan, gaoqiao = rows["狮山市场监督管理所"], rows["高桥市场监督管理所"]
    assert shishan["cases"] == 4  # A, B, E, H
    assert gaoqiao["cases"] == 2  # C, F
    assert shishan["spans"][0] == (avg(A_SPANS[0], B_LEAD_FILED, H_LEAD_FILED), 3)
    assert gaoqiao["spans"][0] == (avg(C_LEAD_FILED), 1)
    assert gaoqiao["spans"][1] == (None, 0)
    assert (shishan["returned"], gaoqiao["returned"]) == (1, 2)
    assert shishan["problems"] == [("执法程序", 1), ("事实与证据", 1)]
    assert gaoqiao["problems"] == [("执法程序", 2), ("文书规范", 1)]
    assert shishan["overdue"] == 4  # B's decision, D's and H's publications, A's withdrawal
    assert gaoqiao["overdue"] == 4  # C's filing, decision and second review, F's filing
    assert (shishan["av"], gaoqiao["av"]) == ((2, 3), (2, 4))
    assert (shishan["publication"], gaoqiao["publication"]) == ((1, 3), (0, 0))
    assert (shishan["first_pass"], gaoqiao["first_pass"]) == ((1, 3), (0, 1))
    assert report.rows[1].publication.display == "—"


def test_grouped_by_officer_counts_a_case_for_each_of_its_officers(world):
    report = stats.build_report(YEAR_2026, stats.OFFICER)
    rows = {(row.label, row.note): figures(row) for row in report.rows}
    assert list(rows) == [
        ("李桂芬", "狮山市场监督管理所"),
        ("王志强", "狮山市场监督管理所"),
        ("赵敏", "高桥市场监督管理所"),
        ("钱多多", "高桥市场监督管理所"),
    ]
    li, wang, zhao = (
        rows[("李桂芬", "狮山市场监督管理所")],
        rows[("王志强", "狮山市场监督管理所")],
        rows[("赵敏", "高桥市场监督管理所")],
    )
    assert (li["cases"], wang["cases"], zhao["cases"]) == (4, 2, 2)  # 李: A B E H; 王: A H; 赵: C F
    assert wang["spans"][1] == (avg(A_SPANS[1], D_FILED_DECIDED, H_FILED_DECIDED), 3)
    assert li["first_pass"] == (1, 2)  # A returned, B approved
    assert wang["first_pass"] == (0, 2)  # A returned, D refused
    assert wang["publication"] == (1, 3)  # A, D, H
    assert li["publication"] == (1, 2)  # A, H
    assert rows[("钱多多", "高桥市场监督管理所")] == zhao
    assert report.total.cases == 6  # not 4 + 2 + 2 + 2


def test_grouped_by_matter_category(world):
    report = stats.build_report(YEAR_2026, stats.MATTER)
    rows = {row.label: figures(row) for row in report.rows}
    assert list(rows) == ["产品质量", "食品安全", stats.NO_MATTER]
    assert rows["食品安全"]["cases"] == 4  # A, C, F, H
    assert rows["产品质量"]["cases"] == 2  # B, C
    assert rows[stats.NO_MATTER]["cases"] == 1  # E (D's lead was in 2025)
    assert rows[stats.NO_MATTER]["first_pass"] == (0, 1)  # D refused
    assert rows["产品质量"]["overdue"] == 4  # B's decision; C's filing, decision, second review
    assert rows["食品安全"]["av"] == (4, 7)


def test_grouped_by_month_dates_each_fact_by_its_own_date(world):
    report = stats.build_report(YEAR_2026, stats.MONTH)
    # January to November: December has not begun on 25 November.
    assert [row.label for row in report.rows] == [f"2026年{m}月" for m in range(1, 12)]
    month = {int(row.label[5:-1]): figures(row) for row in report.rows}
    assert {m: f["cases"] for m, f in month.items() if f["cases"]} == {3: 2, 4: 1, 6: 1, 7: 1, 9: 1}
    assert {m: f["overdue"] for m, f in month.items() if f["overdue"]} == {
        2: 1,  # D's publication due 24 Feb
        4: 1,  # C's filing, due 23 Apr
        6: 1,  # B's decision, due 18 Jun
        7: 1,  # C's second review, due 31 Jul
        8: 1,  # C's decision, due 4 Aug
        9: 2,  # F's filing, H's publication due 8 Sep
        10: 1,  # A's withdrawal, due 15 Oct
    }
    assert {m: f["av"] for m, f in month.items() if f["av"][1]} == {3: (2, 3), 5: (1, 3), 6: (1, 1)}
    assert {m: f["returned"] for m, f in month.items() if f["returned"]} == {4: 1, 7: 1, 8: 1}
    assert month[3]["spans"][0] == (avg(A_SPANS[0], B_LEAD_FILED), 2)
    assert month[2]["spans"][1] == (avg(D_FILED_DECIDED), 1)
    assert month[6]["spans"][3] == (avg(A_SPANS[3]), 1)
    assert month[1]["first_pass"] == (0, 1)
    assert month[12 - 1]["cases"] == 0


def test_a_span_runs_from_the_first_entry_into_each_stage(make_case, officer):
    """A case decided, sent back to investigation and decided again: its 立案→决定 span ends at the first
    decision (the later one is no span of its own), and starts at a filing that lies before the period."""
    case = make_case(title="R", lead_date=D(2025, 12, 1))
    reach(case, Stage.FILED, D(2025, 12, 5), officer)
    reach(case, Stage.DECIDED, D(2026, 2, 10), officer)
    reach(case, Stage.INVESTIGATING, D(2026, 2, 20), officer)
    reach(case, Stage.DECIDED, D(2026, 3, 16), officer)
    report = stats.build_report(YEAR_2026, stats.MONTH)
    month = {int(row.label[5:-1]): figures(row) for row in report.rows}
    assert month[2]["spans"][1] == (avg(days(D(2025, 12, 5), D(2026, 2, 10))), 1)
    assert month[3]["spans"][1][1] == 0
    total = figures(report.total)
    assert [count for _, count in total["spans"]] == [0, 1, 0, 0]  # 线索→立案 ended in 2025


def test_a_period_of_months_counts_only_inside_it(world):
    report = stats.build_report(stats.Period.of_months((2026, 3), (2026, 5)), stats.UNIT)
    total = figures(report.total)
    assert total["cases"] == 3  # A, B (March), C (April)
    assert total["av"] == (3, 6)  # March 2/3, May 1/3
    assert total["publication"] == (1, 1)  # A
    assert total["overdue"] == 1  # C's filing (April)
    assert stats.build_report(stats.Period.of_year(2025), stats.UNIT).total.cases == 2  # D, G


# --- 办案类别: 行政处罚 and 行政检查 ------------------------------------------------------------------------


@pytest.fixture
def inspection(world, make_case, outsider, units):
    """I 高桥 (赵, 钱): an inspection (a case on the 行政检查 path) opened 20 Nov 2026 with an on-site record on
    video the next day (no clock due yet)."""
    i = make_case(
        title="I", lead_date=D(2026, 11, 20), by=outsider, handling_unit=units["gaoqiao"], officers=[outsider]
    )
    Case.objects.filter(pk=i.pk).update(procedure=Procedure.INSPECTION)  # the statistics read no stage
    av(document(i, "onsite_record", by=outsider, day=D(2026, 11, 21)), "video")
    return i


def test_grouped_by_procedure_inspections_apart_from_penalties(inspection):
    report = stats.build_report(YEAR_2026, stats.PROCEDURE)
    rows = {row.label: figures(row) for row in report.rows}
    assert list(rows) == ["行政处罚", "行政检查"]
    assert rows["行政检查"]["cases"] == 1 and rows["行政检查"]["av"] == (1, 1)
    assert rows["行政处罚"]["cases"] == 6 and rows["行政处罚"]["av"] == (4, 7)
    assert rows["行政处罚"]["overdue"] == 8 and rows["行政检查"]["overdue"] == 0
    assert figures(report.total)["cases"] == 7 and figures(report.total)["av"] == (5, 8)


def test_the_kind_filter_counts_only_the_cases_of_that_kind(inspection):
    penalties = stats.build_report(YEAR_2026, stats.UNIT, kind="penalty")
    inspections = stats.build_report(YEAR_2026, stats.UNIT, kind="inspection")
    total = figures(penalties.total)
    assert (total["cases"], total["av"], total["overdue"], total["publication"]) == (6, (4, 7), 8, (1, 3))
    assert figures(inspections.total) == {
        "cases": 1,
        "spans": [(None, 0)] * 4,
        "returned": 0,
        "problems": [],
        "overdue": 0,
        "av": (1, 1),
        "publication": (0, 0),
        "first_pass": (0, 0),
    }
    assert [row.label for row in inspections.rows] == ["高桥市场监督管理所"]
    assert inspections.kind_label == "行政检查" and penalties.kind_label == "行政处罚"


def test_the_page_filters_by_kind_and_the_exports_repeat_it(client, inspection, bureau_head):
    login_as(client, bureau_head)
    html = client.get(URL, {"year": "2026", "by": "procedure", "kind": "inspection"}).content.decode()
    assert "办案类别：行政检查" in html
    assert cell_texts(html, "行政检查")[0] == "1"
    assert "statistics/export.csv?year=2026&amp;by=procedure&amp;kind=inspection" in html
    client.get(CSV_URL, {"year": "2026", "kind": "inspection"})
    assert AuditEvent.objects.get(action="supervision.statistics.exported").detail["kind"] == "inspection"
    html = client.get(URL, {"kind": "nonsense"}).content.decode()
    assert "办案类别无效，已统计全部案件。" in html and "办案类别：全部" in html


def test_an_exported_cell_a_spreadsheet_would_run_is_kept_as_text():
    row = stats.Tally().row('=HYPERLINK("http://x")', "")
    assert views_stats.export_row(row)[0] == '\'=HYPERLINK("http://x")'
    assert views_stats.export_row(stats.Tally().row("-1", ""))[0] == "'-1"


# --- Filters --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "period", "dimension", "problem"),
    [
        ({}, (D(2026, 1, 1), D(2026, 12, 31)), "month", None),
        ({"year": "2025", "by": "officer"}, (D(2025, 1, 1), D(2025, 12, 31)), "officer", None),
        ({"start": "2026-02", "end": "2026-04"}, (D(2026, 2, 1), D(2026, 4, 30)), "month", None),
        ({"year": "abc"}, (D(2026, 1, 1), D(2026, 12, 31)), "month", "统计年度无效"),
        ({"year": "1999"}, (D(2026, 1, 1), D(2026, 12, 31)), "month", "统计年度无效"),
        ({"by": "x' OR 1=1"}, (D(2026, 1, 1), D(2026, 12, 31)), "month", "统计维度无效"),
        ({"start": "2026-13", "end": "2026-14"}, (D(2026, 1, 1), D(2026, 12, 31)), "month", "有效月份"),
        ({"start": "2026-06", "end": "2026-01"}, (D(2026, 1, 1), D(2026, 12, 31)), "month", "晚于"),
        ({"start": "2026-06"}, (D(2026, 1, 1), D(2026, 12, 31)), "month", "同时选择"),
        ({"start": "2020-01", "end": "2026-01"}, (D(2026, 1, 1), D(2026, 12, 31)), "month", "最长"),
        ({"kind": "civil"}, (D(2026, 1, 1), D(2026, 12, 31)), "month", "办案类别无效"),
    ],
)
def test_filters_fall_back_to_the_defaults_with_a_message(params, period, dimension, problem):
    filters = views_stats.parse_filters(params, TODAY)
    assert (filters.period.start, filters.period.end) == period
    assert filters.dimension == dimension
    if problem is None:
        assert filters.problems == []
    else:
        assert len(filters.problems) == 1 and problem in filters.problems[0]


def test_a_ratio_without_denominator_is_a_dash():
    assert stats.Ratio(0, 0).display == "—"
    assert stats.Ratio(12, 15).display == "12/15，80.0%"
    assert stats.Ratio(1, 8).display == "1/8，12.5%"


# --- The page and the exports ---------------------------------------------------------------------------


def cell_texts(html, label):
    """The cells of the table row whose header cell starts with `label`."""
    import re

    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        head = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if head and re.sub(r"<[^>]+>", "", head.group(1)).startswith(label):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row.replace("<wbr>", ""), re.S)
            return [re.sub(r"<[^>]+>", " ", c).split()[0] for c in cells]
    raise AssertionError(f"no row {label}")


def test_the_page_shows_the_figures_and_defines_them(client, world, bureau_head):
    login_as(client, bureau_head)
    response = client.get(URL, {"year": "2026", "by": "unit"})
    assert response.status_code == 200
    html = response.content.decode()
    total = cell_texts(html, "合计")
    assert total[0] == "6"
    assert total[-3:] == ["4/7，57.1%", "1/3，33.3%", "1/4，25.0%"]
    assert cell_texts(html, "高桥市场监督管理所")[-2] == "—"
    for term, _ in stats.DEFINITIONS:
        assert f"<dt>{term}</dt>" in html
    assert "分母" in html and "计入分母但不计为已覆盖" in html
    assert "统计期间：2026年1月1日至2026年12月31日" in html
    assert "statistics/export.xlsx?year=2026&amp;by=unit" in html


def test_bad_filters_show_a_message_not_an_error(client, world, reviewer):
    login_as(client, reviewer)
    response = client.get(URL, {"year": "二〇二六", "by": "nonsense", "start": "", "end": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "统计年度无效，已按本年度统计。" in html and "统计维度无效，已按月份统计。" in html
    assert "2026年11月" in html


def read_xlsx(response):
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return rows


def test_the_excel_export_reads_back_with_the_figures_of_the_page(client, world, bureau_head):
    login_as(client, bureau_head)
    report = stats.build_report(YEAR_2026, stats.UNIT)
    response = client.get(XLSX_URL, {"year": "2026", "by": "unit"})
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert "2026" in response["Content-Disposition"]
    rows = read_xlsx(response)
    assert rows[0][0] == "执法全过程记录统计"
    assert "统计期间：2026年1月1日至2026年12月31日" in rows[1][0] and "执法单位" in rows[1][0]
    header_at = next(i for i, r in enumerate(rows) if r[0] == "执法单位")
    header = rows[header_at]
    table = {r[0]: dict(zip(header, r, strict=True)) for r in rows[header_at + 1 :]}
    assert list(table) == ["狮山市场监督管理所", "高桥市场监督管理所", "合计"]
    total = table["合计"]
    assert total["案件数"] == report.total.cases == 6
    assert (total["已关联音像"], total["需音像记录"], total["音像记录覆盖率（%）"]) == (4, 7, 57.1)
    assert (total["按时公示"], total["应公示"]) == (1, 3)
    assert (total["首轮通过"], total["首轮已审结"], total["首轮审核通过率（%）"]) == (1, 4, 25.0)
    assert total["线索→立案平均用时（天）"] == float(report.total.spans[0].days)
    assert total["线索→立案件数"] == 4
    assert total["退回审核"] == 3 and total["逾期环节"] == 8
    assert total["最常见问题"] == "执法程序（3）、事实与证据（1）、文书规范（1）"
    assert table["高桥市场监督管理所"]["公示及时率（%）"] is None
    definitions = load_workbook(io.BytesIO(response.content))["指标说明"]
    assert [r[0] for r in definitions.iter_rows(min_row=2, values_only=True)] == [
        t for t, _ in stats.DEFINITIONS
    ]


def test_the_csv_export_opens_in_excel_and_reads_back(client, world, reviewer):
    login_as(client, reviewer)
    response = client.get(CSV_URL, {"start": "2026-03", "end": "2026-05", "by": "officer"})
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert "2026-03%E8%87%B32026-05" in response["Content-Disposition"]  # 2026-03至2026-05
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "2026年3月1日至2026年5月31日" in rows[1][0]
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "承办人")
    header = rows[header_at]
    table = {r[0]: dict(zip(header, r, strict=True)) for r in rows[header_at + 1 :]}
    report = stats.build_report(stats.Period.of_months((2026, 3), (2026, 5)), stats.OFFICER)
    assert list(table) == [f"{r.label}（{r.note}）" for r in report.rows] + ["合计"]
    li = table["李桂芬（狮山市场监督管理所）"]
    assert li["案件数"] == "2"  # A, B
    assert (li["已关联音像"], li["需音像记录"], li["音像记录覆盖率（%）"]) == ("2", "3", "66.7")
    assert li["首轮审核通过率（%）"] == "0.0"  # A's first round (20 April) was returned
    assert table["赵敏（高桥市场监督管理所）"]["首轮审核通过率（%）"] == ""  # C's first round came in July
    assert table["合计"]["案件数"] == "3"


def test_exports_are_recorded_in_the_audit_log(client, world, bureau_head):
    login_as(client, bureau_head)
    client.get(XLSX_URL, {"year": "2026", "by": "matter"})
    client.get(CSV_URL)
    events = list(AuditEvent.objects.filter(action="supervision.statistics.exported").order_by("seq"))
    assert [e.detail["format"] for e in events] == ["xlsx", "csv"]
    assert events[0].detail == {
        "format": "xlsx",
        "start": "2026-01-01",
        "end": "2026-12-31",
        "dimension": "matter",
    }
    assert events[0].actor == bureau_head


# --- Who may see it -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [URL, XLSX_URL, CSV_URL])
def test_only_supervisors_see_the_statistics(client, url, officer, unit_head, reviewer, bureau_head):
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    assert client.get(url)["Location"].startswith("/accounts/login/")
    for user in (officer, unit_head):
        login_as(client, user)
        # A role page answers 403 to other roles (roster/decorators.py role_required), audited.
        assert client.get(url).status_code == 403
    for user in (reviewer, bureau_head):
        login_as(client, user)
        assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405
    assert not AuditEvent.objects.filter(action="supervision.statistics.exported", actor=officer).exists()


# --- A fixed number of queries ----------------------------------------------------------------------------


def full_case(n, make_case, officer, colleague, reviewer, food):
    """A case with everything the statistics read: stages, an act with video, two review rounds with
    their checklists, a publication withdrawn after a change."""
    case = make_case(title=f"案{n}", lead_date=D(2026, 3, 2), matters=[food])
    reach(case, Stage.FILED, D(2026, 3, 10), officer)
    reach(case, Stage.DECIDED, D(2026, 5, 8), officer)
    reach(case, Stage.CLOSED, D(2026, 5, 20), officer)
    case.refresh_from_db()
    av(document(case, "onsite_record", by=officer, day=D(2026, 3, 12)), "video")
    document(case, "inquiry_record", by=colleague, day=D(2026, 3, 13), av_exemption="文字足以记录")
    review(case, 1, RoundStatus.RETURNED, due=D(2026, 4, 24), decided=D(2026, 4, 28), problems=(2,),
           by=officer, reviewer=reviewer)  # fmt: skip
    review(
        case, 2, RoundStatus.APPROVED, due=D(2026, 5, 6), decided=D(2026, 5, 6), by=officer, reviewer=reviewer
    )
    publication(case, due=D(2026, 5, 19), published=D(2026, 5, 20), by=officer, status=PublicationStatus.WITHDRAWN,
                withdrawal_event_on=D(2026, 6, 1), withdrawn_at=datetime.datetime(2026, 6, 2, 9, tzinfo=TZ),
                withdrawal_reason="处罚决定被依法变更", withdrawal_kind="changed")  # fmt: skip
    return case


# The report, aggregated in SQL (supervision/records_facts.tally): the publications whose withdrawal clock may
# fall in the period, the withdrawal setting (read when there are any), the aggregate (every fact kind in one
# UNION ALL, grouped by day and by the group key), the units, the officers named (4 + 1); whatever the number
# of cases. Before them the deadline table is brought up to date: with cases changed since it was last read,
# the refresh (tests/supervision/test_dashboard.py REFRESH_QUERIES: 20, the working-day table included); with
# none, the unlocked EXISTS on the stale marks (1) and the working-day table (1). The rule settings row exists
# (as in any database in use).
REPORT_QUERIES = 5
REFRESH_QUERIES = 20
FRESH_QUERIES = 1 + 1


@pytest.mark.parametrize("copies", [1, 4])
def test_the_report_costs_a_fixed_number_of_queries(
    copies, make_case, officer, colleague, reviewer, django_assert_num_queries
):
    food = PowerItem.objects.create(
        code="CF-SP-009", kind=PowerKind.PENALTY, field="食品安全", name="食品", legal_basis="食品安全法"
    )
    RuleSettings.current()
    for n in range(copies):
        full_case(n, make_case, officer, colleague, reviewer, food)
    with django_assert_num_queries(REPORT_QUERIES + REFRESH_QUERIES):
        report = stats.build_report(YEAR_2026, stats.OFFICER)
    with django_assert_num_queries(REPORT_QUERIES + FRESH_QUERIES):
        assert stats.build_report(YEAR_2026, stats.OFFICER) == report
    assert report.total.cases == copies
    assert (
        report.total.returned == copies and report.total.overdue == 3 * copies
    )  # review, publication, withdrawal
    assert (report.total.av.num, report.total.av.den) == (copies, 2 * copies)


# The page: the session, the user, the OTP device and the user's roles (4); the report; the top bar's
# unread notifications and the user's unit (2; the 系统管理 link reads the roles: no permission queries) (the
# session's activity stamp is written at most once a minute: roster/middleware.py LAST_SEEN_STEP).
# The report comes from the supervision figure cache (figure_cache.py) keyed on the deadline table's marks
# (its last write, the next clock in hours to turn late: 1 query, read after the refresh). Built (a miss):
# the refresh, the marks, the report (the refresh not repeated). Cached (a hit, nothing changed since): the
# page's own, the fresh check of the stale marks (1: an unlocked EXISTS, cases/deadline_sync.refresh_stale; the
# calendar table is not read), the marks.
PAGE_QUERIES = 4 + REFRESH_QUERIES + 1 + REPORT_QUERIES + 2
HIT_QUERIES = 4 + 1 + 1 + 2


@pytest.mark.parametrize("copies", [1, 3])
def test_the_page_costs_a_fixed_number_of_queries(
    copies, client, make_case, officer, colleague, reviewer, bureau_head, django_assert_num_queries
):
    food = PowerItem.objects.create(
        code="CF-SP-009", kind=PowerKind.PENALTY, field="食品安全", name="食品", legal_basis="食品安全法"
    )
    RuleSettings.current()
    for n in range(copies):
        full_case(n, make_case, officer, colleague, reviewer, food)
    login_as(client, bureau_head)
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(URL, {"by": "officer"})
    assert response.status_code == 200
    with django_assert_num_queries(HIT_QUERIES):
        again = client.get(URL, {"by": "officer"})
    assert again.context["report"] == response.context["report"]


# --- How it looks -------------------------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_page_on_a_desktop_and_a_phone(world, bureau_head, new_page, client, live_server):
    import os
    from pathlib import Path

    client.force_login(bureau_head)
    session = client.cookies["sessionid"].value
    shots = Path(os.environ.get("STATS_SCREENSHOTS", Path(__file__).resolve().parents[2] / "test-artifacts"))
    shots.mkdir(parents=True, exist_ok=True)
    for phone in (False, True):
        page = new_page(phone=phone)
        page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page.goto("/staff/supervision/statistics/?year=2026&by=unit")
        assert page.get_by_role("heading", name="执法全过程记录统计").is_visible()
        page.screenshot(path=str(shots / f"statistics-{'phone' if phone else 'desktop'}.png"), full_page=True)
        wrap = page.locator(".table-wrap")
        widths = wrap.evaluate("e => [e.scrollWidth, e.clientWidth, document.documentElement.scrollWidth]")
        viewport = page.viewport_size["width"]
        # The page itself never scrolls sideways; on a phone the table scrolls inside its container.
        assert widths[2] <= viewport
        if phone:
            assert widths[0] > widths[1]
        # The page's stylesheet applies (CSP allows no inline style): the group names stay in view.
        assert page.locator("tr.total th").evaluate("e => getComputedStyle(e).position") == "sticky"
