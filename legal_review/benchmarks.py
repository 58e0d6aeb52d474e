"""Discretion benchmarks (docs/domain.md §3, the review's point 4): the proposed decision's circumstances and penalty compared with the benchmark
of each penalty matter of the case (行政处罚法 第三十四条), and the fixture loader."""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .criteria import fmt, yuan

BENCHMARKS_FILE = Path(settings.BASE_DIR) / "fixtures" / "benchmarks.json"
LEVEL_LABELS = {
    "none": "不予处罚",
    "mitigated": "减轻处罚",
    "lenient": "从轻处罚",
    "ordinary": "一般处罚",
    "severe": "从重处罚",
}


@dataclass
class Comparison:
    benchmark: object
    level: str
    level_label: str
    range_text: str = ""
    proposed: str = ""
    conditions: str = ""
    deviations: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def deviates(self) -> bool:
        return bool(self.deviations)


def bounds(rng, base_amount: Decimal | None) -> tuple[Decimal | None, Decimal | None, str]:
    """(min, max, text) of a level's fine range in yuan; multiples need the base (货值金额 ...)."""
    if rng.multiple_min is not None or rng.multiple_max is not None:
        base_label = rng.get_base_display()
        text = f"{base_label}{rng.multiple_min or 0:g}倍以上{rng.multiple_max or 0:g}倍以下"
        if base_amount is None:
            return None, None, text
        low = (rng.multiple_min or Decimal("0")) * base_amount
        high = (rng.multiple_max or Decimal("0")) * base_amount
        return low, high, f"{text}（{fmt(low)}元至{fmt(high)}元）"
    if rng.fine_min is None and rng.fine_max is None:
        return None, None, rng.other_penalties or "不处罚款"
    text = f"{fmt(rng.fine_min or Decimal('0'))}元至{fmt(rng.fine_max) if rng.fine_max else '—'}元"
    return rng.fine_min, rng.fine_max, text


def compare(benchmark, data: dict, base_amount: Decimal | None = None) -> Comparison:
    """Compare one proposed decision (its data) with one benchmark."""
    ranges = {r.level: r for r in benchmark.ranges.all()}
    level = data.get("discretion") or ""
    types = set(data.get("penalty_types") or [])
    fine = yuan(data.get("fine_amount")) if "fine" in types else None
    result = Comparison(benchmark, level, LEVEL_LABELS.get(level, level or "未载明"))
    result.proposed = f"罚款{fmt(fine)}元" if fine is not None else "不处罚款"
    if level == "none":
        result.conditions = benchmark.no_penalty_conditions
        if types:
            result.deviations.append("裁量情节为不予处罚，却提出了处罚种类。")
        if not benchmark.no_penalty_conditions:
            result.deviations.append("裁量基准未规定不予处罚情形。")
        return result
    if level == "mitigated":
        result.conditions = benchmark.mitigated_conditions
        lenient = ranges.get("lenient")
        if not benchmark.mitigated_conditions:
            result.deviations.append("裁量基准未规定减轻处罚情形。")
        if lenient is not None:
            low, _, text = bounds(lenient, base_amount)
            result.range_text = f"低于法定最低限（从轻处罚：{text}）"
            if fine is not None and low is not None and fine >= low:
                result.deviations.append(f"减轻处罚的罚款应低于法定最低限{fmt(low)}元，拟罚款{fmt(fine)}元。")
        return result
    rng = ranges.get(level)
    if rng is None:
        result.deviations.append(f"裁量情节“{result.level_label}”在裁量基准中没有对应阶次。")
        return result
    result.conditions = rng.conditions
    low, high, result.range_text = bounds(rng, base_amount)
    if fine is None:
        return result
    if low is None and high is None:
        if rng.multiple_min is not None:
            result.notes.append("该阶次按倍数计算罚款，送审时未填写计算基数，无法自动比对。")
        return result
    if low is not None and fine < low:
        result.deviations.append(
            f"拟罚款{fmt(fine)}元，低于“{result.level_label}”阶次下限{fmt(low)}元（{result.range_text}）。"
        )
    if high is not None and fine > high:
        result.deviations.append(
            f"拟罚款{fmt(fine)}元，高于“{result.level_label}”阶次上限{fmt(high)}元（{result.range_text}）。"
        )
    return result


def compare_case(case, documents, base_amount: Decimal | None = None) -> list[Comparison]:
    """Each proposed decision against the benchmark of each of the case's penalty matters that has one."""
    from .models import DiscretionBenchmark

    benchmarks = list(
        DiscretionBenchmark.objects.filter(power_item__in=case.matters.all(), is_active=True)
        .select_related("power_item")
        .prefetch_related("ranges")
    )
    return [
        compare(b, d.data or {}, base_amount)
        for d in documents
        if d.doc_type == "penalty_decision"
        for b in benchmarks
    ]


# --- The fixture -----------------------------------------------------------------------------------------


def load_benchmarks(path: Path = BENCHMARKS_FILE) -> tuple[int, list[str]]:
    """Create or update the benchmarks of the file (matched by power item code); items whose code is not in
    the powers catalogue are skipped and named. Returns (loaded, skipped codes)."""
    from wuding_enforcement.cases.models import PowerItem

    from .models import BenchmarkRange, DiscretionBenchmark

    items = json.loads(Path(path).read_text(encoding="utf-8"))["items"]
    powers = {p.code: p for p in PowerItem.objects.filter(code__in=[i["code"] for i in items])}
    loaded, skipped = 0, []
    with transaction.atomic():
        for item in items:
            power = powers.get(item["code"])
            if power is None:
                skipped.append(item["code"])
                continue
            benchmark, _ = DiscretionBenchmark.objects.update_or_create(
                power_item=power,
                defaults={
                    "violation": item["violation"],
                    "legal_basis": item["legal_basis"],
                    "statutory_range": item["statutory_range"],
                    "no_penalty_conditions": item.get("no_penalty", ""),
                    "mitigated_conditions": item.get("mitigated", ""),
                },
            )
            for level, spec in item["ranges"].items():
                BenchmarkRange.objects.update_or_create(
                    benchmark=benchmark,
                    level=level,
                    defaults={
                        "conditions": spec["conditions"],
                        "fine_min": _dec(spec.get("fine_min")),
                        "fine_max": _dec(spec.get("fine_max")),
                        "multiple_min": _dec(spec.get("multiple_min")),
                        "multiple_max": _dec(spec.get("multiple_max")),
                        "base": spec.get("base", ""),
                        "other_penalties": spec.get("other", ""),
                    },
                )
            loaded += 1
    return loaded, skipped


def _dec(value):
    return None if value is None else Decimal(str(value))
