"""Pagination for long public lists: every row reachable, a visible total, and counts that stay bounded.

BoundedPaginator counts at most `bound` rows past the start of the page asked for. When the result ends inside
that window the total is exact ("找到 37 条"); otherwise it is a lower bound shown as "1020 余条" (`capped`),
and the window moves with the page, so page 500 of a large result is page 500, never silently the last page
under a cap. An exact total known beforehand (the unfiltered list's, cached) is passed as `total`.

A page past the end of the result is the last page, as Django's get_page() does for any paginator.
A shared service: it imports no domain model.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


def page_number(value, default: int = 1) -> int:
    """The page asked for, as a positive integer (anything else: the first page)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number >= 1 else default


class BoundedPaginator(Paginator):
    capped = False

    def __init__(self, object_list, per_page, *, bound: int = 1000, page=None, total: int | None = None):
        super().__init__(object_list, per_page)
        self.bound = max(bound, 1)
        self.requested = page_number(page)
        self.total = total

    @cached_property
    def count(self):
        if self.total is not None:
            return self.total
        # Rows up to the end of the window: the pages before the one asked for, then `bound` more.
        limit = (self.requested - 1) * self.per_page + self.bound
        # Counted without the order: which rows fill the bound does not change how many there are, and an
        # ordered count must fetch and sort every match before its LIMIT applies.
        rows = self.object_list.order_by() if hasattr(self.object_list, "order_by") else self.object_list
        found = rows[: limit + 1].count()
        self.capped = found > limit
        return min(found, limit)

    @cached_property
    def num_pages(self):
        """A capped count is a lower bound: there is always a page after its last one."""
        return super().num_pages + (1 if self.count and self.capped else 0)

    def page(self, number):
        """Django's page, except that a capped count does not shorten the page (rows continue past it)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if not self.capped and top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.object_list[bottom:top], number, self)
