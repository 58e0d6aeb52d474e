"""A 个体工商户 named after its operator (武定县张三小吃店, or simply 张三) does not reveal the natural person's
name where its result is published (个人信息保护法; 总局令第45号): the public pages, the search, the open data,
the Atom feed, the embed and the credit export show the masked name (武定县张某小吃店) by the one rule of
disclosure/redaction.py; the credit export keeps the 统一社会信用代码."""

import datetime
import json

import pytest
from django.urls import reverse

from disclosure import redaction
from inspection.models import EntityKind, MarketEntity
from tests.inspection.conftest import code
from tests.inspection.test_publication import at
from tests.inspection.test_publication_channels import resulted  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

PUBLISH_DAY = datetime.date(2026, 9, 24)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """The open data files are prebuilt into the media folder: a folder of this test's own, so no file another
    test built (on the same xdist worker) is served here."""
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def entity(food):
    """A 个体工商户 whose 字号 carries its operator's name."""
    shop = MarketEntity.objects.create(
        credit_code=code(7, "92"),
        name="武定县张三小吃店",
        kind=EntityKind.INDIVIDUAL,
        representative="张三",
        address="武定县狮山镇演示路7号",
        risk_class="B",
    )
    shop.categories.set([food])
    return shop


@pytest.fixture
def published(resulted, officer):  # noqa: F811
    with at(PUBLISH_DAY):
        resulted.publish(by=officer, public_summary="武定县张三小吃店经营者张三在场，未发现问题。")
    return resulted


def test_the_rule_masks_the_operators_name_in_the_business_name():
    assert redaction.business_public_name("武定县张三小吃店", "张三") == "武定县张某小吃店"
    assert redaction.business_public_name("张三", "张三") == "张某"  # no 字号: the name is the person's
    assert redaction.business_public_name("武定县欧阳修茶室", "欧阳修") == "武定县欧阳某茶室"
    assert redaction.business_public_name("武定县好运小吃店", "张三") == "武定县好运小吃店"


def test_the_published_name_and_text_hide_the_operator(published):
    assert published.public_entity_name == "武定县张某小吃店"
    assert "张三" not in published.public_summary
    assert published.public_summary == "武定县张某小吃店经营者张某在场，未发现问题。"


def test_the_public_pages_and_the_search_show_the_masked_name(client, published):
    listing = client.get(reverse("inspection_public:results")).content.decode()
    detail = client.get(reverse("inspection_public:result", args=[published.pk])).content.decode()
    embed = client.get(reverse("disclosure:inspection_results_embed")).content.decode()
    for page in (listing, detail, embed):
        assert "武定县张某小吃店" in page and "张三" not in page
    # The operator's name does not find the entry; the masked name and the credit code do.
    assert (
        published.number
        not in client.get(reverse("inspection_public:results"), {"q": "张三"}).content.decode()
    )
    assert (
        "武定县张某小吃店"
        in client.get(reverse("inspection_public:results"), {"q": "张某小吃"}).content.decode()
    )
    assert (
        "武定县张某小吃店"
        in client.get(
            reverse("inspection_public:results"), {"q": published.entity.credit_code}
        ).content.decode()
    )


def _body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_the_open_data_and_the_feed_show_the_masked_name(client, published):
    csv_text = _body(client.get(reverse("disclosure:inspection_open_csv")))
    [row] = json.loads(_body(client.get(reverse("disclosure:inspection_open_json"))))["items"]
    feed = client.get(reverse("disclosure:publication_feed")).content.decode()
    assert row["entity_name"] == "武定县张某小吃店" and row["credit_code"] == published.entity.credit_code
    for text in (csv_text, feed):
        assert "武定县张某小吃店" in text and "张三" not in text


def test_the_credit_export_carries_the_masked_name_and_the_credit_code(published, bureau_head):
    from disclosure import credit, credit_files

    with at(datetime.date(2026, 9, 25)):
        item = credit.export(bureau_head, datetime.date(2026, 9, 1), datetime.date(2026, 9, 30), "csv")
    [row] = credit_files.rows(list(item.lines.all()))
    assert row["party_name"] == "武定县张某小吃店"
    assert row["credit_code"] == published.entity.credit_code and row["legal_representative"] == ""
    assert "张三" not in json.dumps(row, ensure_ascii=False)


def test_an_organisation_keeps_its_registered_name(resulted, officer):  # noqa: F811
    entity = resulted.entity
    entity.kind, entity.name = EntityKind.ENTERPRISE, "武定县张三餐饮有限公司"
    entity.save()
    with at(PUBLISH_DAY):
        resulted.publish(by=officer, public_summary="未发现问题。")
    assert resulted.public_entity_name == "武定县张三餐饮有限公司"
