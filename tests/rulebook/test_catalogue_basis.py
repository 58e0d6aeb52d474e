"""A public catalogue names the register entry (审定、备案) its current version rests on."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from wuding_enforcement.rulebook.models import RulesDocument, RulesVersion, VersionStatus, basis_for

from .test_register import draft, file_through

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 2, 0, tzinfo=datetime.UTC), tick=False):
        cache.clear()
        yield
        cache.clear()


@pytest.fixture
def powers_rules(units):
    return RulesDocument.objects.create(
        title="武定县市场监督管理局权责清单", category="powers", drafting_unit=units["policy"]
    )


def test_no_basis_until_a_version_of_that_category_takes_effect(powers_rules, admin_user):
    version = draft(powers_rules, admin_user)
    assert basis_for("powers") is None
    version.advance(VersionStatus.APPROVED, by=admin_user, on=D(2026, 9, 1), authority="楚雄州市场监督管理局")
    assert basis_for("powers") is None
    version.advance(VersionStatus.FILED, by=admin_user, on=D(2026, 9, 5), number="武司备〔2026〕7号")
    version.advance(VersionStatus.EFFECTIVE, by=admin_user, on=D(2026, 9, 10))
    assert basis_for("powers") == version
    assert basis_for("guide") is None


def test_the_newer_effective_version_replaces_the_older_one_as_basis(powers_rules, admin_user):
    first = draft(powers_rules, admin_user, number=1)
    file_through(first, admin_user, D(2026, 3, 1))
    second = draft(powers_rules, admin_user, number=2)
    file_through(second, admin_user, D(2026, 9, 1))
    first.refresh_from_db()
    assert first.status == VersionStatus.REPEALED
    assert basis_for("powers") == second


def test_a_non_public_document_is_never_named_on_the_public_site(powers_rules, admin_user):
    file_through(draft(powers_rules, admin_user), admin_user, D(2026, 3, 1))
    powers_rules.is_public = False
    powers_rules.save()
    assert basis_for("powers") is None


def test_the_powers_page_names_its_basis_and_renews_when_it_takes_effect(client, powers_rules, admin_user):
    url = reverse("disclosure:powers")
    assert "本栏目依据" not in client.get(url).content.decode()
    file_through(draft(powers_rules, admin_user), admin_user, D(2026, 3, 1))
    page = client.get(url).content.decode()
    version = RulesVersion.objects.get(document=powers_rules)
    assert "本栏目依据" in page and f"《{powers_rules.title}》" in page
    assert version.filing_number in page
    assert reverse("disclosure:rules_detail", args=[powers_rules.pk]) in page
    assert "2026年3月11日起施行" in page


def test_guides_and_flowcharts_name_their_own_categories(client, units, admin_user):
    guide_rules = RulesDocument.objects.create(
        title="武定县市场监督管理局行政执法服务指南", category="guide", drafting_unit=units["policy"]
    )
    file_through(draft(guide_rules, admin_user), admin_user, D(2026, 3, 1))
    assert guide_rules.title in client.get(reverse("disclosure:guides")).content.decode()
    assert guide_rules.title not in client.get(reverse("disclosure:procedures")).content.decode()
