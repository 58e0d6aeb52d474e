"""The staff lists' pager (templates/_pager.html, the case list and the supervision drill-down lists): 上一页 and
下一页 keep the list's filters and change only the page; a list of one page has no pager."""

from django.core.paginator import Paginator
from django.http import QueryDict
from django.template.loader import render_to_string


def pager(number, count=120, query="unit=3&officer=7&page=2"):
    page = Paginator(list(range(count)), 50).get_page(number)
    return render_to_string("_pager.html", {"page": page, "query": QueryDict(query)})


def test_the_pager_keeps_the_filters_and_moves_the_page():
    html = pager(2)
    assert 'href="?unit=3&amp;officer=7&amp;page=1" rel="prev">上一页' in html
    assert 'href="?unit=3&amp;officer=7&amp;page=3" rel="next">下一页' in html
    assert "第 2 页，共 3 页" in html


def test_the_first_and_last_pages_link_one_way_only():
    assert "上一页" not in pager(1) and "下一页" in pager(1)
    assert "下一页" not in pager(3) and "上一页" in pager(3)


def test_a_list_of_one_page_has_no_pager():
    assert "pager" not in pager(1, count=20)
