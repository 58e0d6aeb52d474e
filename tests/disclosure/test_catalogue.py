"""事前公开: the public catalogue pages read structured content, show when it changed, keep every change,
are cached until what they show changes, and run a fixed number of queries."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from demo.disclosure import seed_disclosure_demo
from disclosure.models import Procedure, ProcedureStep, ServiceGuide
from inspection.models import InspectionItem as RandomInspectionItem  # the list moved to inspection
from legal_review.models import BenchmarkRange, DiscretionBenchmark
from tests.conftest import make_staff
from tests.disclosure.support import empty_cache  # noqa: F401 - autouse fixture
from wuding_enforcement.cases.models import PowerItem, PowerKind, RuleSettings
from wuding_enforcement.roster.models import Certificate, CertificateStatus, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(units, admin_user):
    seed_disclosure_demo()


CATALOGUE_PAGES = [
    "disclosure:subjects",
    "disclosure:personnel",
    "disclosure:powers",
    "public_benchmarks",  # legal_review's page on the public site (legal_review/public.py)
    "disclosure:inspections",
    "disclosure:procedures",
    "disclosure:guides",
    "disclosure:channels",
]


def test_every_catalogue_page_opens_for_anyone_and_says_when_it_was_updated(client, content, officer):
    PowerItem.objects.create(
        code="T-1",
        kind=PowerKind.PENALTY,
        field="广告",
        name="对发布虚假广告的行政处罚",
        legal_basis="《中华人民共和国广告法》第五十五条",
    )
    for name in CATALOGUE_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        text = response.content.decode()
        assert "本栏目更新于" in text or "暂无" in text, name
    procedure = Procedure.objects.first()
    guide = ServiceGuide.objects.first()
    assert client.get(reverse("disclosure:procedure_detail", args=[procedure.pk])).status_code == 200
    assert client.get(reverse("disclosure:guide_detail", args=[guide.pk])).status_code == 200


def test_the_home_page_links_to_every_catalogue_page(client):
    text = client.get(reverse("disclosure:index")).content.decode()
    for name in CATALOGUE_PAGES + [
        "disclosure:certificate_lookup",
        "disclosure:document_lookup",
        "disclosure:statistics",
    ]:
        assert f'href="{reverse(name)}"' in text, name


def test_a_hidden_item_leaves_the_page_and_its_change_stays_in_history(client, content):
    item = RandomInspectionItem.objects.get(code="SC-JG-01")
    assert item.item in client.get(reverse("disclosure:inspections")).content.decode()
    item.is_public = False
    item.save()
    assert item.item not in client.get(reverse("disclosure:inspections")).content.decode()
    assert [h.is_public for h in item.history.order_by("history_date")] == [True, False]
    # Not deleted: still in the admin's table.
    assert RandomInspectionItem.objects.filter(pk=item.pk).exists()


def test_the_page_date_follows_the_last_change(client, content):
    item = RandomInspectionItem.objects.first()
    RandomInspectionItem.objects.filter(pk=item.pk).update(
        updated_at=datetime.datetime(2025, 3, 4, tzinfo=datetime.UTC)
    )
    RandomInspectionItem.objects.exclude(pk=item.pk).update(
        updated_at=datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC)
    )
    assert "本栏目更新于" in (text := client.get(reverse("disclosure:inspections")).content.decode())
    assert "2025年3月4日" in text


def test_someone_whose_certificate_is_not_valid_is_shown_as_not_entitled_to_enforce(
    client, officer, colleague
):
    Certificate.objects.filter(holder=colleague).update(
        status=CertificateStatus.SUSPENDED, status_since=datetime.date(2026, 1, 5)
    )
    text = client.get(reverse("disclosure:personnel")).content.decode()
    rows = re.findall(r'<li class="person[^"]*">.*?</li>', text, re.S)
    officer_row = next(r for r in rows if officer.real_name in r)
    colleague_row = next(r for r in rows if colleague.real_name in r)
    assert "当前不具备执法资格" not in officer_row and "有效" in officer_row
    assert "当前不具备执法资格" in colleague_row and "暂扣" in colleague_row
    assert Certificate.objects.get(holder=colleague).number in colleague_row


def test_the_personnel_page_shows_the_certificate_that_entitles_today(client, officer):
    """roster/certification.py decides: a valid certificate speaks for its holder even when a suspended one
    expires later (the latest-to-expire is shown only when none is valid)."""
    valid = Certificate.objects.get(holder=officer)
    Certificate.objects.create(
        holder=officer,
        unit=valid.unit,
        number="53230099999",
        kind=valid.kind,
        fields=valid.fields,
        issued_on=valid.issued_on,
        expires_on=valid.expires_on + datetime.timedelta(days=365),
        status=CertificateStatus.SUSPENDED,
        status_since=datetime.date(2026, 1, 5),
    )
    text = client.get(reverse("disclosure:personnel")).content.decode()
    row = next(
        r for r in re.findall(r'<li class="person[^"]*">.*?</li>', text, re.S) if officer.real_name in r
    )
    assert valid.number in row and "53230099999" not in row and "当前不具备执法资格" not in row


def test_personnel_can_be_filtered_by_unit(client, officer, outsider, units):
    text = client.get(reverse("disclosure:personnel"), {"unit": units["gaoqiao"].pk}).content.decode()
    assert outsider.real_name in text and officer.real_name not in text


def test_the_personnel_list_runs_a_fixed_number_of_queries(
    client, units, unit_head, django_assert_num_queries
):
    def count_for(n):
        for i in range(n):
            make_staff(f"p{n}_{i}", f"人员{n}{i}", units["shishan"], Role.OFFICER)
        empty_cache_now()
        with django_assert_num_queries(4) as ctx:
            # 1 the people holding certificates; 2 their certificates with unit (prefetch); 3 units for the
            # filter; 4 last change (certificate history).
            client.get(reverse("disclosure:personnel"))
        return len(ctx.captured_queries)

    assert count_for(3) == count_for(20)


def empty_cache_now():
    from django.core.cache import cache

    cache.clear()


def test_the_powers_list_runs_a_fixed_number_of_queries(client, units, django_assert_num_queries):
    for i in range(60):
        PowerItem.objects.create(
            code=f"Q-{i:03d}",
            kind=PowerKind.PENALTY,
            field="食品安全",
            name=f"事项{i}",
            legal_basis="依据",
            responsible_unit=units["shishan"],
        )
    # 1 count for the paginator; 2 the page's items with their unit; 3 last change of the list;
    # 4 the count per kind for the contents list; 5 the rules document the list rests on (rulebook.basis_for).
    with django_assert_num_queries(5):
        client.get(reverse("disclosure:powers"))
    empty_cache_now()
    with django_assert_num_queries(5):
        client.get(reverse("disclosure:powers"), {"page": 2})


def test_the_powers_list_finds_a_two_character_chinese_keyword_and_filters_by_kind(client, units):
    PowerItem.objects.create(
        code="GG-1",
        kind=PowerKind.PENALTY,
        field="广告",
        name="对发布虚假广告的行政处罚",
        legal_basis="《中华人民共和国广告法》第五十五条",
    )
    PowerItem.objects.create(
        code="JC-1",
        kind=PowerKind.INSPECTION,
        field="食品安全",
        name="对食品经营者的监督检查",
        legal_basis="《中华人民共和国食品安全法》第一百一十条",
    )
    text = client.get(reverse("disclosure:powers"), {"q": "广告"}).content.decode()
    assert "对发布虚假广告的行政处罚" in text and "对食品经营者的监督检查" not in text
    text = client.get(reverse("disclosure:powers"), {"kind": PowerKind.INSPECTION}).content.decode()
    assert "对食品经营者的监督检查" in text and "对发布虚假广告的行政处罚" not in text


def test_the_flowchart_is_drawn_as_svg_from_the_steps_in_order_without_inline_styles(client):
    procedure = Procedure.objects.create(title="测试流程", category="行政处罚", basis="行政处罚法")
    for order, name in [(2, "调查取证"), (1, "立案"), (3, "作出决定")]:
        ProcedureStep.objects.create(
            procedure=procedure, order=order, name=name, actor="执法人员", time_limit="5日"
        )
    ProcedureStep.objects.create(
        procedure=procedure, order=4, name="已取消的环节", actor="无", is_active=False
    )
    text = client.get(reverse("disclosure:procedure_detail", args=[procedure.pk])).content.decode()
    svg = text[text.index("<svg") : text.index("</svg>")]
    assert svg.index("1. 立案") < svg.index("2. 调查取证") < svg.index("3. 作出决定")
    assert "已取消的环节" not in svg
    assert "style=" not in text and "<script" not in svg


def test_a_hidden_procedure_is_not_found(client):
    procedure = Procedure.objects.create(title="内部流程", category="行政处罚", basis="x", is_public=False)
    assert client.get(reverse("disclosure:procedure_detail", args=[procedure.pk])).status_code == 404


def test_the_remedy_channels_follow_the_rule_settings_and_the_page_renews(client, content):
    assert "60日" in client.get(reverse("disclosure:channels")).content.decode()
    rules = RuleSettings.current()
    rules.remedy_review_days = 90
    rules.save()
    text = client.get(reverse("disclosure:channels")).content.decode()
    assert "90日" in text and "武定县人民政府" in text and "6个月" in text


def test_a_cached_page_is_served_without_queries_until_what_it_shows_changes(
    client, content, django_assert_num_queries
):
    client.get(reverse("disclosure:guides"))
    with django_assert_num_queries(0):
        client.get(reverse("disclosure:guides"))
    guide = ServiceGuide.objects.first()
    guide.name = "食品经营许可（新办，已更新）"
    guide.save()
    assert "食品经营许可（新办，已更新）" in client.get(reverse("disclosure:guides")).content.decode()


def test_the_benchmarks_page_shows_legal_reviews_benchmarks_in_use_and_renews(client, units):
    """行政处罚法 第三十四条: the benchmarks are published. The page is legal_review's own view, routed from the
    root URLconf into the public layout: this fails if the route, the view or its cache section breaks."""
    url = reverse("public_benchmarks")
    assert url == "/benchmarks/"
    text = client.get(url).content.decode()
    assert "暂无" in text and "行政执法公示" in text
    item = PowerItem.objects.create(
        code="CF-GG-9",
        kind=PowerKind.PENALTY,
        field="广告",
        name="对发布虚假广告的行政处罚",
        legal_basis="广告法第五十五条",
    )
    benchmark = DiscretionBenchmark.objects.create(
        power_item=item,
        violation="发布虚假广告",
        legal_basis="《中华人民共和国广告法》第五十五条",
        statutory_range="广告费用三倍以上五倍以下罚款",
    )
    BenchmarkRange.objects.create(
        benchmark=benchmark,
        level="lenient",
        conditions="初次违法且及时改正",
        fine_min=Decimal("1000"),
        fine_max=Decimal("5000"),
    )
    retired = PowerItem.objects.create(
        code="CF-GG-8", kind=PowerKind.PENALTY, field="广告", name="已停用事项的处罚", legal_basis="x"
    )
    DiscretionBenchmark.objects.create(
        power_item=retired, violation="x", legal_basis="x", statutory_range="x", is_active=False
    )
    text = client.get(url).content.decode()
    assert "对发布虚假广告的行政处罚" in text and "广告费用三倍以上五倍以下罚款" in text
    assert "从轻处罚" in text and "初次违法且及时改正" in text and "1,000.00元至5,000.00元" in text
    assert "已停用事项的处罚" not in text and "本栏目更新于" in text
    # Cached until a benchmark (or one of its levels) is saved.
    benchmark.statutory_range = "广告费用三倍以上五倍以下罚款；广告费用无法计算的，处二十万元以上罚款"
    benchmark.save()
    assert "广告费用无法计算的" in client.get(url).content.decode()
