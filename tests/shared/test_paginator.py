"""BoundedPaginator (wuding_enforcement/shared/paginator.py): every row reachable, a visible total that is
exact when the result ends within the window counted and a lower bound ("余条") otherwise."""

import pytest

from wuding_enforcement.shared.paginator import BoundedPaginator, page_number


class Counted(list):
    """A list that records the slices counted, like a queryset's [:n].count()."""

    counted: list[int]

    def __init__(self, *args):
        super().__init__(*args)
        self.counted = []

    def __getitem__(self, item):
        found = super().__getitem__(item)
        if isinstance(item, slice) and item.start is None:
            self.counted.append(item.stop)
            return Counted(found)
        return found

    def count(self, *args):
        return len(self)


@pytest.mark.parametrize("value, expected", [("3", 3), ("0", 1), ("-2", 1), ("x", 1), (None, 1), ("", 1)])
def test_the_page_asked_for_is_a_positive_number(value, expected):
    assert page_number(value) == expected


def test_a_small_result_has_an_exact_total():
    paginator = BoundedPaginator(Counted(range(37)), 20, bound=100, page="1")
    page = paginator.get_page("1")
    assert (paginator.count, paginator.capped, paginator.num_pages) == (37, False, 2)
    assert list(page.object_list) == list(range(20))


def test_a_large_result_counts_only_a_window_and_says_so():
    rows = Counted(range(100_000))
    paginator = BoundedPaginator(rows, 20, bound=1000, page="1")
    paginator.get_page("1")
    assert (paginator.count, paginator.capped) == (1000, True)
    assert rows.counted == [1001]


def test_a_page_past_the_first_window_is_served_not_the_last_page_of_the_window():
    rows = Counted(range(100_000))
    paginator = BoundedPaginator(rows, 20, bound=1000, page="500")
    page = paginator.get_page("500")
    assert page.number == 500 and page.has_next()
    assert list(page.object_list)[0] == 499 * 20
    assert paginator.count == 499 * 20 + 1000 and paginator.capped


def test_the_last_page_of_a_result_is_exact():
    paginator = BoundedPaginator(Counted(range(10_010)), 20, bound=1000, page="500")
    page = paginator.get_page("500")
    assert (paginator.count, paginator.capped) == (10_010, False)
    assert page.number == 500 and page.has_next() and paginator.num_pages == 501


def test_a_known_total_is_not_counted_again():
    rows = Counted(range(50))
    paginator = BoundedPaginator(rows, 20, total=50)
    assert paginator.count == 50 and rows.counted == []
