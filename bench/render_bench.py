"""Render time of a 行政处罚决定书 (warm; target < 1.5 s) and assembly time of a ~100-page case file (案卷).

Both against a baseline measured in the same run: a one-page Chinese HTML page through the same WeasyPrint
pipeline (the same fonts, the same static-only fetcher, PDF/A-3b), i.e. the fixed cost of rendering
anything. The case file is built by recording.casefile.assemble() exactly as the archive task builds it
(hash check of every issued PDF, cover, catalogue, evidence list and approvals record rendered, the PDFs
merged and page-numbered, the originals attached), for both volumes.

Runs in a throwaway database and media folder (like audit_append.py):

    .venv/bin/python bench/render_bench.py [--renders 5] [--pages 100]
"""

import argparse
import datetime
import hashlib
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def prepare_environment(tmp: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "wuding_enforcement.settings"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'unused.sqlite3'}")
    os.environ["AUDIT_ANCHOR_DIR"] = str(tmp / "audit-anchors")
    os.environ["MEDIA_ROOT"] = str(tmp / "media")


DECISION = {
    "facts": "2026年11月2日，当事人在其经营场所销售超过保质期的“某某牌”牛奶12箱，货值金额1,440.00元。"
    "经查，上述牛奶生产日期为2026年5月12日，保质期六个月，当事人于2026年8月购进，未按规定定期检查库存食品。",
    "evidence": "1.现场笔录；2.询问笔录；3.现场照片；4.进货单据；5.营业执照复印件。",
    "violation_type": "经营超过保质期的食品",
    "basis_violated": "《中华人民共和国食品安全法》第三十四条第十项",
    "basis_penalty": "《中华人民共和国食品安全法》第一百二十四条第一款第五项",
    "discretion": "ordinary",
    "discretion_reason": "当事人无从轻、减轻或从重处罚情节。",
    "statements_answer": "当事人在法定期限内未提出陈述、申辩。",
    "penalty_types": ["fine", "confiscate_property"],
    "fine_amount": "12000.00",
    "confiscated_property": "超过保质期的“某某牌”牛奶12箱",
    "performance": "自收到本决定书之日起十五日内，到本局指定的代收银行缴纳罚款。",
    "performance_deadline_days": "15",
    "decided_on": "2026-11-19",
    "will_publish": "on",
    "publication_notice": "本决定书将通过国家企业信用信息公示系统向社会公示。",
}
BASELINE_HTML = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>@page { size: A4; margin: 25mm }'
    'html { font-family: "Noto Serif CJK SC", serif; }</style></head><body><h1>武定县市场监督管理局</h1>'
    "<p>行政执法全过程记录基准页。</p></body></html>"
)


def make_case():
    """A filed case of 狮山所 with two certified officers, its unit head, the bureau head and a records keeper."""
    from django.contrib.auth.models import Group

    from wuding_enforcement.cases.models import Case, LeadSource, PartyKind
    from wuding_enforcement.roster.models import Certificate, Role, Staff, Unit, UnitKind

    shishan = Unit.objects.create(name="狮山市场监督管理所", kind=UnitKind.STATION, order=10)
    office = Unit.objects.create(name="办公室", kind=UnitKind.OFFICE, order=1)

    def staff(username, name, unit, *roles, certificate=True):
        user = Staff.objects.create_user(
            username=username, password="Bench-2026!x", real_name=name, unit=unit
        )
        user.groups.add(*Group.objects.filter(name__in=[r.value for r in roles]))
        if certificate:
            Certificate.objects.create(
                number=f"53230{Staff.objects.count():05d}",
                holder=user,
                unit=unit,
                fields="食品安全",
                issued_on=datetime.date(2024, 1, 1),
                expires_on=datetime.date(2028, 12, 31),
                exam_passed_on=datetime.date(2023, 10, 1),
            )
        user.__dict__.pop("role_names", None)
        return user

    head = staff("head", "周建华", shishan, Role.UNIT_HEAD, Role.OFFICER)
    shishan.head = head
    shishan.save()
    officer = staff("officer", "李桂芬", shishan, Role.OFFICER)
    colleague = staff("colleague", "王志强", shishan, Role.OFFICER)
    bureau = staff("bureau", "孙卫东", office, Role.BUREAU_HEAD, Role.OFFICER)
    keeper = staff("keeper", "吴静", shishan, Role.RECORDS_KEEPER, certificate=False)
    case = Case.register_lead(
        by=officer,
        handling_unit=shishan,
        title="涉嫌销售过期食品案",
        lead_source=LeadSource.COMPLAINT,
        lead_date=datetime.date(2026, 11, 2),
        officers=[officer, colleague],
        parties=[
            {
                "kind": PartyKind.ORGANISATION,
                "name": "武定县某某商贸有限公司",
                "credit_code": "91532329MA6K000001",
                "legal_representative": "陈某",
                "address": "武定县狮山镇某路1号",
            }
        ],
    )
    approval = case.request_approval("filing", by=officer, reason="有违法事实，符合立案条件。")
    approval.give_opinion(head, agree=True, opinion="拟同意立案。")
    approval.give_opinion(bureau, agree=True, opinion="同意立案。")
    case.refresh_from_db()
    return case, officer, colleague, head, bureau, keeper


def draft(case, key, data, by, **fields):
    from recording.doctypes import get_type
    from recording.models import Document

    doctype = get_type(key)
    form = doctype.form(data, case=case)
    if not form.is_valid():
        raise SystemExit(f"bench data for {key} is invalid: {form.errors.as_json()}")
    return Document.objects.create(
        case=case, doc_type=key, data=doctype.to_json(form.cleaned_data), created_by=by, **fields
    )


def timed(fn):
    began = time.perf_counter()
    result = fn()
    return time.perf_counter() - began, result


def measure(renders: int, pages: int) -> dict:
    from django.core.files.base import ContentFile
    from pypdf import PdfReader

    from recording import casefile
    from recording.models import CaseFile, Document, Evidence
    from recording.rendering import render_document
    from wuding_enforcement.cases.workflow import Stage
    from wuding_enforcement.shared.pdf import render_html_to_pdf

    case, officer, colleague, head, bureau, keeper = make_case()
    party = case.parties.first()

    # --- 行政处罚决定书: cold, then warm renders, against the baseline page ---
    decision = draft(case, "penalty_decision", DECISION, officer, party=party)
    cold, _ = timed(lambda: render_document(decision))
    baseline_cold, _ = timed(lambda: render_html_to_pdf(BASELINE_HTML))
    warm, base = [], []
    for _ in range(renders):
        warm.append(timed(lambda: render_document(decision))[0])
        base.append(timed(lambda: render_html_to_pdf(BASELINE_HTML))[0])
    decision_pdf = render_document(decision)
    decision.issue(by=officer)

    # --- a case file of about `pages` pages: issued 现场笔录 of several pages each ---
    onsite = draft(
        case,
        "onsite_record",
        {
            "started_at": "2026-11-24T09:30",
            "ended_at": "2026-11-24T10:45",
            "place": "狮山镇某路1号店铺",
            "present_person": "陈某（店长）",
            "certificates_shown": "on",
            "findings": "货架上陈列超过保质期的“某某牌”纯牛奶，生产日期为2026年5月12日，保质期六个月。" * 110,
        },
        officer,
        act_date=datetime.date(2026, 11, 24),
        av_exemption="现场情况以文字和照片记录，足以全面反映检查过程。",
    )
    onsite.officers.set([officer, colleague])
    issue_one, _ = timed(lambda: onsite.issue(by=officer))
    onsite.refresh_from_db()
    with onsite.pdf.open("rb") as f:
        pdf = f.read()
    per_doc = len(PdfReader(__import__("io").BytesIO(pdf)).pages)
    documents = max(1, -(-pages // per_doc))  # enough records for the body to reach `pages`
    # The other records are copies of this issued one (same bytes, own row and file): issuing each again
    # would only repeat the render measured above; the case file reads, checks and merges every file.
    for i in range(documents - 1):
        copy = Document(
            case=case,
            doc_type="onsite_record",
            status="issued",
            data=onsite.data,
            act_date=onsite.act_date,
            file_seq=1000 + i,
            pdf_sha256=onsite.pdf_sha256,
            issued_at=onsite.issued_at,
            issued_by=officer,
            created_by=officer,
        )
        copy.pdf.save("onsite.pdf", ContentFile(pdf), save=False)
        copy._issuing = True
        copy.save()
    for i in range(12):
        content = f"bench evidence {i}".encode()
        Evidence.objects.create(
            case=case,
            kind="video",
            title=f"执法记录仪录像{i + 1}",
            file=ContentFile(content, name="x"),
            mime="video/mp4",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            duration=60.0 + i,
            uploaded_by=officer,
        )
    case.advance(Stage.INVESTIGATING, actor=officer)
    case.advance(Stage.TERMINATED, actor=officer, reason="基准测试终止。")
    approval = case.request_approval("closing", by=officer, reason="结案。")
    approval.give_opinion(head, agree=True, opinion="拟同意。")
    approval.give_opinion(bureau, agree=True, opinion="同意。")
    case.refresh_from_db()
    case_file = CaseFile.objects.create(case=case, requested_by=keeper, status="building")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    build_s, volumes = timed(lambda: casefile.assemble(case_file))
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "cold": cold,
        "baseline_cold": baseline_cold,
        "warm": statistics.median(warm),
        "warm_min": min(warm),
        "baseline": statistics.median(base),
        "decision_pages": len(PdfReader(__import__("io").BytesIO(decision_pdf)).pages),
        "issue_onsite": issue_one,
        "per_doc": per_doc,
        "documents": documents,
        "build": build_s,
        "main_pages": volumes["main"].pages,
        "sub_pages": volumes["sub"].pages,
        "main_mb": len(volumes["main"].pdf) / 2**20,
        "rss_mb": rss_after / 1024,
        "rss_before_mb": rss_before / 1024,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=5, help="warm renders of the decision (default 5)")
    parser.add_argument("--pages", type=int, default=100, help="body pages of the case file (default 100)")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="wuding-bench-"))
    try:
        prepare_environment(tmp)
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection

        settings.DEBUG = False
        if connection.vendor == "sqlite":
            connection.settings_dict["TEST"]["NAME"] = str(tmp / "bench.sqlite3")
        else:
            connection.settings_dict["TEST"]["NAME"] = f"bench_wuding_{os.getpid()}"
        original_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            f = measure(args.renders, args.pages)
        finally:
            connection.creation.destroy_test_db(original_name, verbosity=0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(
        f"行政处罚决定书 render ({f['decision_pages']} pages, PDF/A-3b): warm {f['warm']:.2f} s median "
        f"(best {f['warm_min']:.2f} s, cold {f['cold']:.2f} s; target < 1.5 s warm); one-page baseline "
        f"{f['baseline']:.2f} s; ratio {f['warm'] / f['baseline']:.2f}"
    )
    print(f"现场笔录 issued ({f['per_doc']} pages: number, render, hash, store): {f['issue_onsite']:.2f} s")
    print(
        f"case file of {f['documents']} records: 正卷 {f['main_pages']} pages ({f['main_mb']:.1f} MB), "
        f"副卷 {f['sub_pages']} pages, built in {f['build']:.2f} s "
        f"({f['build'] / f['baseline']:.1f}× the one-page baseline); peak RSS {f['rss_before_mb']:.0f} MB "
        f"before the build, {f['rss_mb']:.0f} MB after"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
