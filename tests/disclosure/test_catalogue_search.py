"""The long catalogues (裁量基准, 权责清单, 执法人员; issue 14 §6): a search that is a plain GET filter (it works
without a script, and each query is cached as a page of its own) and a contents list of anchor links to each
section of the page."""

import re

import pytest
from django.urls import reverse

from legal_review.models import DiscretionBenchmark
from tests.conftest import make_staff
from tests.disclosure.support import empty_cache  # noqa: F401 - autouse fixture
from wuding_enforcement.cases.models import PowerItem, PowerKind
from wuding_enforcement.roster.models import Role

pytestmark = pytest.mark.django_db


def _matter(code, field, name, kind=PowerKind.PENALTY):
    return PowerItem.objects.create(code=code, kind=kind, field=field, name=name, legal_basis="依据")


@pytest.fixture
def benchmarks():
    for code, field, name, violation in [
        ("CF-SP-1", "食品安全", "对经营超过保质期食品的行政处罚", "经营超过保质期的食品"),
        ("CF-JG-1", "价格", "对不明码标价的行政处罚", "未按规定明码标价"),
        ("CF-GG-1", "广告", "对发布虚假广告的行政处罚", "发布虚假广告"),
    ]:
        DiscretionBenchmark.objects.create(
            power_item=_matter(code, field, name),
            violation=violation,
            legal_basis="依据",
            statutory_range="幅度",
        )


def _anchors(text):
    return set(re.findall(r'id="([^"]+)"', text))


def test_the_benchmarks_have_a_contents_list_whose_links_all_land_on_the_page(client, benchmarks):
    text = client.get(reverse("public_benchmarks")).content.decode()
    toc = text[text.index('<nav class="toc"') : text.index("</nav>", text.index('<nav class="toc"'))]
    targets = re.findall(r'href="#([^"]+)"', toc)
    # One section per field and one entry per benchmark, each an anchor on the page.
    assert len(targets) == 3 + 3
    assert set(targets) <= _anchors(text)
    for field in ("食品安全", "价格", "广告"):
        assert f"{field}（1 项）" in toc


def test_the_benchmarks_search_is_a_get_filter(client, benchmarks):
    text = client.get(reverse("public_benchmarks"), {"q": "明码标价"}).content.decode()
    assert "对不明码标价的行政处罚" in text and "对发布虚假广告的行政处罚" not in text
    assert "共 1 项" in text and 'value="明码标价"' in text
    # By field and by the matter's code as well; a search that finds nothing says so.
    assert (
        "对发布虚假广告的行政处罚" in client.get(reverse("public_benchmarks"), {"q": "广告"}).content.decode()
    )
    assert "对经营超过保质期食品" in client.get(reverse("public_benchmarks"), {"q": "CF-SP"}).content.decode()
    assert (
        "没有找到含“茶叶”的裁量基准"
        in client.get(reverse("public_benchmarks"), {"q": "茶叶"}).content.decode()
    )
    # Each query is a page of its own in the cache: the full list is not served for a search.
    assert "对发布虚假广告的行政处罚" in client.get(reverse("public_benchmarks")).content.decode()


def test_the_powers_list_has_sections_by_kind_with_a_contents_list(client):
    _matter("CF-1", "食品安全", "对某事项的行政处罚")
    _matter("JC-1", "食品安全", "对食品经营者的监督检查", kind=PowerKind.INSPECTION)
    text = client.get(reverse("disclosure:powers")).content.decode()
    toc = text[text.index('<nav class="toc"') : text.index("</nav>", text.index('<nav class="toc"'))]
    targets = re.findall(r'href="#([^"]+)"', toc)
    # In the list's own order (by kind, then code).
    assert targets == [f"kind-{PowerKind.INSPECTION}", f"kind-{PowerKind.PENALTY}"]
    assert set(targets) <= _anchors(text)
    text = client.get(reverse("disclosure:powers"), {"q": "监督检查"}).content.decode()
    assert "对食品经营者的监督检查" in text and "对某事项的行政处罚" not in text


def test_a_kind_on_another_page_of_the_powers_list_is_linked_by_its_filter(client):
    for i in range(51):
        _matter(f"JC-{i:03d}", "食品安全", f"检查事项{i}", kind=PowerKind.INSPECTION)
    _matter("CF-1", "食品安全", "对某事项的行政处罚")
    text = client.get(reverse("disclosure:powers")).content.decode()
    assert f'href="?q=&amp;kind={PowerKind.PENALTY}"' in text
    assert "（1 项，在其他页）" in text and "（51 项，本页 50 项）" in text


def test_the_personnel_list_is_searched_by_name_or_number_and_grouped_by_unit(client, units, officer):
    make_staff("gaoqiao_officer", "李高桥", units["gaoqiao"], Role.OFFICER)
    text = client.get(reverse("disclosure:personnel")).content.decode()
    toc = text[text.index('<nav class="toc"') : text.index("</nav>", text.index('<nav class="toc"'))]
    assert set(re.findall(r'href="#([^"]+)"', toc)) <= _anchors(text)
    text = client.get(reverse("disclosure:personnel"), {"q": "李高桥"}).content.decode()
    assert "李高桥" in text and officer.real_name not in text and "查找到 1 人" in text
