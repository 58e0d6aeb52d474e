"""Counts of the year that a system reports for the annual enforcement statistics (国办发〔2018〕118号: the
previous year's figures are published by 31 January; docs/domain.md §1).

The statistics are computed by the public site (disclosure), which may not import the systems beside it
(legal_review). So the case offers this hook and a system fills it from its AppConfig.ready(), like the gates
(docs/architecture.md, "Hooks"): a key names a figure, an entry is a function `year -> int`. A figure is the sum
of its entries, None where no installed system reports it (the page then says the system is not in use).
"""

from wuding_enforcement.shared.registry import Registry

# 重大行政执法决定法制审核 completed in the year (legal_review).
LEGAL_REVIEWS = "legal_reviews"

annual_counts = Registry("cases.annual_counts", "How many acts of a figure a system recorded in a year.")


def annual_count(key: str, year: int) -> int | None:
    counters = list(annual_counts.for_key(key))
    if not counters:
        return None
    return sum(count(year) for count in counters)
