"""Generate published penalty decisions fast: COPY straight into disclosure.Publication (and the issued
Document rows and the cases they point to), in a throwaway PostgreSQL database bench_wuding_<pid>. The tables'
secondary indexes are dropped for the load and built again after it, and foreign keys are not checked row by
row (session_replication_role = replica: the ids are assigned here, consistently) — 1,000,000 decisions in
minutes instead of an hour of bulk_create with index upkeep.

Used by public_pages_bench.py; on its own it prints how long N take and drops the database again, unless
`--keep` (then it prints the database's name, for `public_pages_bench.py --database NAME`; drop it yourself
with `dropdb NAME` when done).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuding .venv/bin/python bench/generate_decisions.py \
        [--count 100000] [--keep]

The user needs the CREATEDB privilege; the database DATABASE_URL names is never opened. Without DATABASE_URL
the bench uses postgres://postgres@127.0.0.1:5432/postgres (the server's maintenance database, only to
create and drop the throwaway one).
"""

import argparse
import datetime
import os
import random
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"

TOWNS = ["狮山", "高桥", "猫街", "插甸", "白路", "万德", "环州", "东坡", "田心", "发窝", "己衣"]
WORDS = [
    "兴旺", "鑫源", "福康", "云岭", "彝乡", "金沙", "惠民", "百姓", "阳光", "丰收", "绿源", "华联", "益康", "顺达",
    "永昌", "和谐", "吉祥", "宏发", "佳佳", "好运", "德胜", "祥云", "新世纪", "老字号", "乡村", "山泉", "春城", "蓝天",
]  # fmt: skip
KINDS = [
    "商贸有限公司",
    "超市",
    "便利店",
    "药店",
    "餐饮店",
    "食品经营部",
    "农资店",
    "五金店",
    "加油站",
    "诊所",
]
VIOLATIONS = [
    "经营超过保质期的食品", "销售不合格药品", "未按规定明码标价", "经营无标签的预包装食品", "使用未经检验的特种设备",
    "销售假冒注册商标的商品", "发布虚假广告", "未取得食品经营许可从事食品经营", "销售不合格化肥", "计量器具未经检定",
    "经营病死畜禽肉类", "销售过期医疗器械", "未按规定公示营业执照", "无照经营", "销售不符合安全标准的儿童玩具",
    "虚假宣传", "哄抬价格", "以次充好销售农资", "违规使用食品添加剂", "销售未经检疫的肉品",
]  # fmt: skip
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"


def prepare_environment(tmp: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "wuding_enforcement.settings"
    os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL") or DEFAULT_SERVER
    os.environ["AUDIT_ANCHOR_DIR"] = str(tmp / "audit-anchors")
    os.environ["MEDIA_ROOT"] = str(tmp / "media")


def create_database() -> tuple[str, str]:
    """Create bench_wuding_<pid> with the project's migrations (UTF-8, C.UTF-8 like production)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("generate_decisions needs PostgreSQL (DATABASE_URL=postgres://...)")
    name = f"bench_wuding_{os.getpid()}"
    connection.settings_dict["TEST"]["NAME"] = name
    connection.settings_dict["TEST"]["TEMPLATE"] = "template0"
    connection.settings_dict["TEST"]["CHARSET"] = "UTF8"
    original = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return original, name


def destroy_database(original: str) -> None:
    from django.db import connection

    connection.creation.destroy_test_db(original, verbosity=0)


def _copy(model, rows) -> None:
    """Write `rows` (dicts of attribute name to value, the id included) with COPY. Every other column gets the
    value an unsaved instance would be saved with (its default), prepared once: building a model instance and
    preparing ~40 fields per row would cost more than the database's own work."""
    from django.db import connections
    from psycopg.types.json import Jsonb

    connection = connections["default"]
    fields = model._meta.concrete_fields
    template = model()
    defaults = [f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in fields]
    names = [f.attname for f in fields]
    json = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [
                        (Jsonb(row[name]) if name in json else row[name]) if name in row else default
                        for name, default in zip(names, defaults, strict=True)
                    ]
                )


def _next_ids(model, n: int) -> int:
    """The first of `n` ids reserved from the table's sequence (setval past them)."""
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - our table name
        first = cursor.fetchone()[0] + 1
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + n - 1])
    return first


def _secondary_indexes(tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the tables' indexes that back no constraint."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i
               WHERE i.tablename = ANY(%s) AND NOT EXISTS (
                   SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
            [tables],
        )
        return cursor.fetchall()


def _party(rng: random.Random) -> tuple[str, str, str, str]:
    """(party name, kind, credit code, legal representative) — a tenth are natural persons, masked 张某."""
    if rng.random() < 0.1:
        return f"{rng.choice(SURNAMES)}某", "person", "", ""
    name = f"武定县{rng.choice(TOWNS)}{rng.choice(WORDS)}{rng.choice(KINDS)}"
    code = f"91532329MA{rng.randrange(10**7, 10**8)}"
    return name, "organisation", code, f"{rng.choice(SURNAMES)}某某"


def generate(count: int, *, seed: int = 2026, batch: int = 5000) -> dict:
    """`count` publications (95% published, 3% withdrawn, 2% ended) with their issued decision rows."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from disclosure.models import Publication
    from disclosure.search import number_key, search_grams, text_key
    from recording.models import Document
    from wuding_enforcement.cases.models import Case
    from wuding_enforcement.roster.models import Staff, Unit, UnitKind

    rng = random.Random(seed)
    today = timezone.localdate()
    units = [
        Unit.objects.create(name=f"{town}市场监督管理所", kind=UnitKind.STATION, order=i)
        for i, town in enumerate(TOWNS)
    ]
    unit_of = {unit.pk: unit for unit in units}
    staff = Staff.objects.create_user(username="bench", password=None, real_name="压测", unit=units[0])
    # Decisions spread over many cases (about five per case, as a case may end in several decisions over the
    # years only rarely: most have one), over the units and over three years of dates.
    tables = [Case._meta.db_table, Document._meta.db_table, Publication._meta.db_table]
    dropped = _secondary_indexes(tables)
    began = time.perf_counter()
    with connection.cursor() as cursor:
        for index, _definition in dropped:
            cursor.execute(f'DROP INDEX "{index}"')
        # The ids are assigned here and consistent: foreign keys are not checked row by row during the load.
        cursor.execute("SET session_replication_role = replica")
    now = timezone.now()
    zone = timezone.get_current_timezone()
    case_count = max(len(units), count // 5)
    first_case = _next_ids(Case, case_count)
    cases = []
    for i in range(case_count):
        unit = units[i % len(units)]
        cases.append(
            {
                "id": first_case + i,
                "lead_year": today.year,
                "lead_seq": i + 1,
                "lead_number": f"{settings.BUREAU_SHORT}案源〔{today.year}〕{i + 1}号",
                "stage": "lead",
                "title": f"压测案件{i}",
                "lead_source": "inspection",
                "lead_date": today,
                "handling_unit_id": unit.pk,
                "created_by_id": staff.pk,
                "created_at": now,
                "updated_at": now,
            }
        )
    with transaction.atomic():
        _copy(Case, cases)
    text_body = (
        "经查，当事人于{date}在其经营场所{violation}，货值金额{value}元，违法所得{gains}元。上述事实有现场笔录、"
        "询问笔录、现场照片等证据证明。当事人的上述行为违反了有关法律法规的规定。本局依法决定对当事人作出如下"
        "行政处罚：{penalty}。当事人应当自收到本决定书之日起十五日内履行。如不服本处罚决定，可以在收到本决定书之日起"
        "60日内向武定县人民政府申请行政复议，也可以在6个月内依法向武定县人民法院提起行政诉讼。"
    )
    made = 0
    first_doc = _next_ids(Document, count)
    first_pub = _next_ids(Publication, count)
    while made < count:
        n = min(batch, count - made)
        docs, pubs = [], []
        for i in range(made, made + n):
            case = cases[rng.randrange(len(cases))]
            decided = today - datetime.timedelta(days=rng.randrange(1, 3 * 365))
            published = decided + datetime.timedelta(days=rng.randrange(1, 9))
            fine = Decimal(rng.choice([500, 2000, 5000, 8000, 12000, 30000, 50000, 100000]))
            types = ["fine"] + (["confiscate_gains"] if rng.random() < 0.3 else [])
            short = types == ["fine"] and fine < Decimal("10000")
            ends = published + (
                datetime.timedelta(days=91) if short else datetime.timedelta(days=3 * 365 + 1)
            )
            name, kind, code, rep = _party(rng)
            violation = rng.choice(VIOLATIONS)
            year = decided.year
            number = f"{settings.BUREAU_SHORT}处罚〔{year}〕{i + 1}号"
            penalty = f"罚款{fine:.2f}元" + ("；没收违法所得" if len(types) > 1 else "")
            roll = rng.random()
            status = "withdrawn" if roll < 0.03 else ("ended" if roll < 0.05 else "published")
            docs.append(
                {
                    "id": first_doc + i,
                    "case_id": case["id"],
                    "doc_type": "penalty_decision",
                    "status": "issued",
                    "data": {
                        "violation_type": violation,
                        "penalty_types": types,
                        "fine_amount": f"{fine:.2f}",
                    },
                    "pdf_sha256": "0" * 64,
                    "issued_at": now,
                    "issued_by_id": staff.pk,
                    "created_by_id": staff.pk,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            body = text_body.format(
                date=f"{decided.year}年{decided.month}月{decided.day}日",
                violation=violation,
                value=rng.randrange(100, 90000),
                gains=rng.randrange(0, 5000),
                penalty=penalty,
            )
            unit = unit_of[case["handling_unit_id"]]
            text = f"{settings.BUREAU_NAME}\n行政处罚决定书\n{number}\n当事人：{name}\n{body}"
            pubs.append(
                {
                    "id": first_pub + i,
                    "case_id": case["id"],
                    "document_id": first_doc + i,
                    "status": status,
                    "document_number": number,
                    "party_name": name,
                    "party_kind": kind,
                    "credit_code": code,
                    "legal_representative": rep,
                    "violation_type": violation,
                    "penalty_content": penalty,
                    "penalty_types": types,
                    "fine_amount": fine,
                    "authority": settings.BUREAU_NAME,
                    "unit_id": unit.pk,
                    "unit_name": unit.name,
                    "decided_on": decided,
                    "original_text": text,
                    "published_text": text,
                    "due_on": decided + datetime.timedelta(days=9),
                    "served_on": decided,
                    "created_by_id": staff.pk,
                    "created_at": now,
                    "published_at": datetime.datetime.combine(
                        published, datetime.time(rng.randrange(8, 18), rng.randrange(60)), tzinfo=zone
                    ),
                    "published_on": published,
                    "published_by_id": staff.pk,
                    "ends_on": ends,
                    "withdrawn_at": now if status == "withdrawn" else None,
                    "withdrawal_kind": "revoked" if status == "withdrawn" else "",
                    "withdrawal_reason": "经行政复议，原处罚决定被撤销。" if status == "withdrawn" else "",
                    "end_kind": "expired" if status == "ended" else "",
                    # The search columns, as publishing fills them (Publication.index_for_search).
                    "search_grams": search_grams(
                        party_name=name, violation_type=violation, document_number=number
                    ),
                    "number_key": number_key(number),
                    "party_key": text_key(name),
                }
            )
        with transaction.atomic():
            _copy(Document, docs)
            _copy(Publication, pubs)
        made += n
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = DEFAULT")
        for _index, definition in dropped:
            cursor.execute(definition)
    spent = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # visibility map for index-only counts, as autovacuum leaves it
    return {"count": made, "seconds": spent}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument(
        "--keep", action="store_true", help="keep the database (for public_pages_bench.py --database NAME)"
    )
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="wuding-bench-"))
    try:
        prepare_environment(tmp)
        import django

        django.setup()
        from django.conf import settings

        settings.DEBUG = False
        original, name = create_database()
        kept = False
        try:
            figures = generate(args.count)
            kept = args.keep
        finally:
            if not kept:
                destroy_database(original)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rate = figures["count"] / figures["seconds"]
    print(
        f"generated {figures['count']} published decisions in {figures['seconds']:.1f} s ({rate:.0f} /s) in {name}"
        + (" (kept)" if kept else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
