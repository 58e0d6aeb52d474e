"""Generate realistic cases for the staff and supervision benches: bulk inserts (no audit chain, no history:
going through the ORM's lifecycle for 50,000 cases would take hours) into a throwaway PostgreSQL database
bench_wuding_<pid>.

Spread like a real bureau's book, only larger: 11 station units and 2 offices, 6 officers each (plus their
unit head), cases over the last three years, 85% 普通程序 and 15% 简易程序; the older a case, the further
along (most of those older than 150 days are closed or archived, a few stuck in an open stage and overdue);
each has one party, two officers of its unit, the transitions of the path it took; 10% of the filed ones an
approved 90-day extension, 5% a testing pause (a third of them still open).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/generate_cases.py [--count 5000]

On its own it prints how long the count took and drops the database again; supervision_bench.py imports it.
"""

import argparse
import datetime
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate_decisions  # noqa: E402
from generate_decisions import KINDS, SURNAMES, TOWNS, VIOLATIONS, WORDS  # noqa: E402

OFFICES = ["政策法规股", "综合执法大队"]
OFFICERS_PER_UNIT = 6
# The ordinary path, in order; a case stops at one of these (or leaves the path: not filed, terminated).
PATH = [
    "lead",
    "verifying",
    "filed",
    "investigating",
    "concluded",
    "notified",
    "statement",
    "decided",
    "served",
    "executing",
    "closed",
    "archived",
]
YEARS = 3


def _stage_for(age: int, rng: random.Random) -> str:
    """Where an ordinary case of `age` days stands: young ones early on the path, old ones mostly done."""
    roll = rng.random()
    if roll < 0.04:
        return "not_filed" if age > 20 else "verifying"
    if roll < 0.06 and age > 40:
        return "terminated"
    if age > 150:
        # 4% stuck in an open stage: the overdue clocks the dashboard exists for.
        return (
            rng.choice(PATH[2:8]) if rng.random() < 0.04 else rng.choice(["closed", "archived", "archived"])
        )
    reach = min(len(PATH) - 1, int(age / 150 * (len(PATH) - 1)) + rng.randrange(0, 3))
    return PATH[rng.randrange(0, reach + 1)]


def generate(count: int, *, seed: int = 2016, batch: int = 5000) -> dict:
    """`count` cases with parties, officers, transitions, approvals and pauses; returns figures and the
    supervisor to sign in as."""
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.db import connection, models, transaction
    from django.utils import timezone

    from wuding_enforcement.cases.models import (
        Approval,
        Case,
        CaseOfficer,
        CasePause,
        CaseTransition,
        Party,
    )
    from wuding_enforcement.roster.models import Certificate, Role, Staff, Unit, UnitKind

    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    units = [
        Unit.objects.create(name=f"{town}市场监督管理所", kind=UnitKind.STATION, order=10 + i)
        for i, town in enumerate(TOWNS)
    ] + [Unit.objects.create(name=name, kind=UnitKind.OFFICE, order=i) for i, name in enumerate(OFFICES)]
    groups = {g.name: g for g in Group.objects.all()}
    head = Staff.objects.create_user(
        username="bench_head", password=None, real_name="压测局长", unit=units[-2], must_change_password=False
    )
    head.groups.add(groups[Role.BUREAU_HEAD], groups[Role.OFFICER])
    officers: dict[int, list] = {}
    n = 0
    for unit in units:
        people = []
        for _ in range(OFFICERS_PER_UNIT):
            n += 1
            person = Staff.objects.create_user(
                username=f"bench_{n}",
                password=None,
                real_name=f"{rng.choice(SURNAMES)}{n}",
                unit=unit,
                must_change_password=False,
            )
            person.groups.add(groups[Role.OFFICER])
            Certificate.objects.create(
                number=f"5323{n:08d}",
                holder=person,
                unit=unit,
                fields="食品安全、产品质量",
                issued_on=datetime.date(2022, 1, 1),
                expires_on=today + datetime.timedelta(days=rng.randrange(10, 1500)),
                exam_passed_on=datetime.date(2021, 10, 1),
            )
            people.append(person)
        unit.head = people[0]
        unit.save(update_fields=["head"])
        people[0].groups.add(groups[Role.UNIT_HEAD])
        officers[unit.pk] = people

    began = time.perf_counter()
    case_seq: dict[int, int] = {}
    lead_seq: dict[int, int] = {}
    made = 0
    rows = {"transitions": 0, "approvals": 0, "pauses": 0}
    while made < count:
        size = min(batch, count - made)
        cases, plans = [], []
        for _ in range(size):
            unit = rng.choice(units[:-2]) if rng.random() < 0.9 else rng.choice(units)
            age = rng.randrange(0, YEARS * 365)
            lead_date = today - datetime.timedelta(days=age)
            simple = rng.random() < 0.15
            stage = "reported" if simple else _stage_for(age, rng)
            year = lead_date.year
            lead_seq[year] = lead_seq.get(year, 0) + 1
            case = Case(
                lead_year=year,
                lead_seq=lead_seq[year],
                lead_number=f"{settings.BUREAU_SHORT}案源〔{year}〕{lead_seq[year]}号",
                procedure="simple" if simple else "ordinary",
                stage=stage,
                title=rng.choice(VIOLATIONS),
                lead_source=rng.choice(["inspection", "complaint", "referral"]),
                lead_date=lead_date,
                lead_summary="",
                handling_unit=unit,
                created_by=head,
            )
            path = PATH[: PATH.index(stage) + 1] if stage in PATH else []
            if stage == "terminated":
                path = PATH[:4]
            elif stage == "not_filed":
                path = ["lead", "verifying"]
            if simple or "filed" in path:
                seq = case_seq[year] = case_seq.get(year, 0) + 1
                case.case_year, case.case_seq = year, seq
                case.case_number = f"{settings.BUREAU_SHORT}{'简' if simple else '立'}〔{year}〕{seq}号"
            days = {"lead": lead_date}
            day = lead_date
            for step in path[1:]:
                gap = {"filed": rng.randrange(2, 16), "decided": rng.randrange(15, 80)}.get(
                    step, rng.randrange(1, 12)
                )
                day = min(today, day + datetime.timedelta(days=gap))
                days[step] = day
            if simple:
                case.filed_on = case.decided_on = case.served_on = lead_date
            case.filed_on = days.get("filed", case.filed_on)
            case.decided_on = days.get("decided", case.decided_on)
            case.served_on = days.get("served", case.served_on)
            case.closed_on = days.get("closed")
            case.archived_on = days.get("archived")
            end = {"terminated": "terminated", "not_filed": "not_filed"}.get(stage)
            cases.append(case)
            plans.append((path, days, end, unit))
        with transaction.atomic():
            # The plain QuerySet.bulk_create: CaseQuerySet's refuses stages other than the initial one (the
            # lifecycle's guard); a bench fixture is not a lifecycle.
            models.QuerySet.bulk_create(Case.objects.all(), cases, batch_size=batch)
            parties, assignments, transitions, approvals, pauses = [], [], [], [], []
            for case, (path, days, end, unit) in zip(cases, plans, strict=True):
                name = f"武定县{rng.choice(TOWNS)}{rng.choice(WORDS)}{rng.choice(KINDS)}"
                parties.append(
                    Party(case=case, kind="organisation", name=name, address=f"武定县{unit.name[:2]}镇")
                )
                pair = rng.sample(officers[unit.pk], 2)
                assignments += [
                    CaseOfficer(case=case, officer=pair[0], is_lead=True),
                    CaseOfficer(case=case, officer=pair[1]),
                ]
                steps = list(path)
                if end:
                    steps.append(end)
                    days[end] = min(today, days[steps[-2]] + datetime.timedelta(days=rng.randrange(3, 40)))
                for a, b in zip(steps, steps[1:], strict=False):
                    transitions.append(
                        CaseTransition(
                            case=case, from_stage=a, to_stage=b, actor=pair[0], on=days[b], reason=""
                        )
                    )
                if case.filed_on and rng.random() < 0.10:
                    approvals.append(
                        Approval(
                            case=case,
                            kind="decision_ext",
                            status="approved",
                            reason="案情复杂，需要延长办案期限。",
                            days=30,
                            requested_by=pair[0],
                            decided_at=now,
                        )
                    )
                if case.filed_on and rng.random() < 0.05:
                    start = case.filed_on + datetime.timedelta(days=rng.randrange(1, 30))
                    if start <= today:
                        finished = rng.random() < 0.66
                        stop = start + datetime.timedelta(days=rng.randrange(5, 40))
                        pauses.append(
                            CasePause(
                                case=case,
                                kind="testing",
                                start=start,
                                end=min(stop, today) if finished else None,
                                note="检验检测",
                                created_by=pair[0],
                            )
                        )
            Party.objects.bulk_create(parties, batch_size=batch)
            CaseOfficer.objects.bulk_create(assignments, batch_size=batch)
            CaseTransition.objects.bulk_create(transitions, batch_size=batch)
            Approval.objects.bulk_create(approvals, batch_size=batch)
            CasePause.objects.bulk_create(pauses, batch_size=batch)
            rows["transitions"] += len(transitions)
            rows["approvals"] += len(approvals)
            rows["pauses"] += len(pauses)
        made += size
    _grant(Case, officers)
    spent = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {"count": made, "seconds": spent, "head": head, "officers": officers, **rows}


def _grant(Case, officers) -> None:
    """The assigned officers' guardian view/change permissions, in bulk (what assignment grants one by one)."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from wuding_enforcement.cases.models import CaseOfficer, CaseUserObjectPermission

    ct = ContentType.objects.get_for_model(Case)
    perms = list(Permission.objects.filter(content_type=ct, codename__in=["view_case", "change_case"]))
    rows = [
        CaseUserObjectPermission(user_id=officer_id, permission=p, content_object_id=case_id)
        for case_id, officer_id in CaseOfficer.objects.values_list("case_id", "officer_id").iterator()
        for p in perms
    ]
    CaseUserObjectPermission.objects.bulk_create(rows, batch_size=10000, ignore_conflicts=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="wuding-bench-"))
    try:
        generate_decisions.prepare_environment(tmp)
        import django

        django.setup()
        from django.conf import settings

        settings.DEBUG = False
        original, name = generate_decisions.create_database()
        try:
            figures = generate(args.count)
        finally:
            generate_decisions.destroy_database(original)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"generated {figures['count']} cases ({figures['transitions']} transitions, {figures['approvals']} "
        f"approvals, {figures['pauses']} pauses) in {figures['seconds']:.1f} s in {name}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
