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

from django.db.models import Max, Prefetch
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


def public_benchmarks():
    """The benchmarks in use, by their matter's code, each with its levels. Two queries (benchmarks with their
    matter, the levels)."""
    return (
        DiscretionBenchmark.objects.filter(is_active=True)
        .select_related("power_item")
        .prefetch_related(Prefetch("ranges", queryset=BenchmarkRange.objects.order_by("pk")))
        .order_by("power_item__code", "pk")
    )


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
    """行政处罚裁量基准 (anonymous, read-only, cached until a benchmark, a level or a matter is saved)."""

    def build():
        rows = [{"benchmark": b, "ranges": benchmark_ranges(b)} for b in public_benchmarks()]
        updated = DiscretionBenchmark.objects.aggregate(last=Max("updated_at"))["last"]
        return render_to_string("legal_review/public_benchmarks.html", {"rows": rows, "updated": updated})

    return render(
        request,
        "disclosure/page.html",
        {"title": "行政处罚裁量基准", "content": BENCHMARKS.page("list", build), "crumbs": ()},
    )


def reviews_decided(year: int) -> int:
    """法制审核 rounds completed (an outcome given) in `year`, for the annual statistics."""
    return ReviewRound.objects.filter(decided_on__year=year).count()


def register() -> None:
    annual_counts.register(reviews_decided, keys=[LEGAL_REVIEWS], name="legal_review.reviews_decided")
