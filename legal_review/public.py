"""What legal review shows the public and the annual statistics (docs/domain.md §1 事前公开, §3).

- The 裁量基准 page: 行政处罚法 第三十四条 — discretion benchmarks are set and published. The benchmarks are
  legal_review's data, so the page is legal_review's own view: its content (templates/legal_review/
  public_benchmarks.html) is shown in the public site's page layout (disclosure/page.html), routed from the root URLconf
  at /benchmarks/ (name "public_benchmarks"), cached in the shared page cache under its own section. The public
  site (disclosure) neither imports legal_review nor guesses its models: the two systems never import each
  other (the import contracts in pyproject.toml).
- The count of completed legal reviews in the annual statistics: registered from LegalReviewConfig.ready()
  into the case's `annual_counts` hook (wuding_enforcement/cases/annual.py), which the statistics read.
"""

from itertools import groupby

from django.db.models import Max, Prefetch, Q
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from wuding_enforcement.cases.annual import LEGAL_REVIEWS, annual_counts
from wuding_enforcement.shared.pagecache import Section

from .benchmarks import bounds
from .models import BenchmarkRange, DiscretionBenchmark, ReviewRound

BENCHMARKS = Section(
    "benchmarks",
    watches={"legal_review.discretionbenchmark", "legal_review.benchmarkrange", "cases.poweritem"},
)


def public_benchmarks(q: str = ""):
    """The benchmarks in use, by their matter's field and code, each with its levels; with `q`, those whose
    matter (code, name, field), violation or basis contains it. Two queries (benchmarks with their matter, the
    levels)."""
    found = DiscretionBenchmark.objects.filter(is_active=True)
    if q:
        found = found.filter(
            Q(power_item__name__icontains=q)
            | Q(power_item__code__icontains=q)
            | Q(power_item__field__icontains=q)
            | Q(violation__icontains=q)
            | Q(legal_basis__icontains=q)
        )
    return (
        found.select_related("power_item")
        .prefetch_related(Prefetch("ranges", queryset=BenchmarkRange.objects.order_by("pk")))
        .order_by("power_item__field", "power_item__code", "pk")
    )


def benchmark_groups(q: str = "") -> list[dict]:
    """The page's sections: one per field (领域), each with its benchmarks and their levels; the contents list
    links to each section and each benchmark."""
    rows = [{"benchmark": b, "ranges": benchmark_ranges(b)} for b in public_benchmarks(q)]
    return [
        {"field": field, "anchor": f"field-{index}", "rows": list(group)}
        for index, (field, group) in enumerate(
            groupby(rows, key=lambda row: row["benchmark"].power_item.field), start=1
        )
    ]


def benchmark_ranges(benchmark) -> list[dict]:
    """Each level of a benchmark as the page shows it: its conditions and its fine range in words."""
    return [
        {
            "level": rng.get_level_display(),
            "conditions": rng.conditions,
            "range": bounds(rng, None)[2],
            "other": rng.other_penalties,
        }
        for rng in benchmark.ranges.all()
    ]


@require_GET
def benchmarks(request):
    """行政处罚裁量基准 (anonymous, read-only, cached until a benchmark, a level or a matter is saved): a long
    page, so it has a contents list (one section per field, anchor links) and a search that is a plain GET
    filter (`q`, works without a script)."""
    q = request.GET.get("q", "").strip()[:50]

    def build():
        groups = benchmark_groups(q)
        updated = DiscretionBenchmark.objects.aggregate(last=Max("updated_at"))["last"]
        return render_to_string(
            "legal_review/public_benchmarks.html",
            {"groups": groups, "count": sum(len(g["rows"]) for g in groups), "q": q, "updated": updated},
        )

    return render(
        request,
        "disclosure/page.html",
        {"title": "行政处罚裁量基准", "content": BENCHMARKS.page(f"list?q={q}", build), "crumbs": ()},
    )


def reviews_decided(year: int) -> int:
    """法制审核 rounds completed (an outcome given) in `year`, for the annual statistics."""
    return ReviewRound.objects.filter(decided_on__year=year).count()


def register() -> None:
    annual_counts.register(reviews_decided, keys=[LEGAL_REVIEWS], name="legal_review.reviews_decided")
