# ruff: noqa: F811  (pytest fixtures imported from publication_factories are redefined as arguments)
"""无障碍 and 适老化 of the public site (issue 14 §6; GB/T 37668, 工信部《互联网网站适老化通用设计规范》), in the
browser, on every public page (the public names of the URL registry, tests/test_url_registry.py, plus the pages
about one object), in both modes, at 1366 px and at 390 px:

- axe-core (vendored, pinned by hash: static/vendor/axe/MANIFEST.json) finds no serious or critical violation,
  in the elder mode with the enhanced contrast rule (7:1) as well;
- no visible text is smaller than 16 px in the normal mode or 18 px in the elder mode (SVG text measured at the
  size it is drawn, its font size times the drawing's scale);
- header links, the mode switch, buttons and form fields are at least 44 px high (48 px in the elder mode).

One browser, one context per width and mode (the preference is the cookie the header's switch writes), one tab
reused for every page: the whole run stays within a couple of minutes."""

import hashlib
import json
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from disclosure import preferences
from disclosure.models import Procedure, ProcedureStep, Publication, ServiceGuide
from disclosure.signing import signed_certificate_path
from legal_review.models import BenchmarkRange, DiscretionBenchmark
from tests.disclosure.publication_factories import (  # noqa: F401  (autouse fixtures)
    empty_cache,
    fake_pdf,
    issue_decision,
    lawful_decided_case,
    serve,
)
from tests.e2e.conftest import ARTIFACTS
from tests.test_url_registry import PUBLIC
from wuding_enforcement.cases.models import PowerItem, PowerKind
from wuding_enforcement.roster.models import Certificate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
AXE_DIR = ROOT / "static" / "vendor" / "axe"

# Public URL names that are not pages a person reads in the site's layout: data, scripts, probes, the staff
# sign-in, the embeddable list (a fragment for the county portal's column, without the site's header).
NOT_SITE_PAGES = {
    "disclosure:publication_feed",
    "disclosure:publication_open_csv",
    "disclosure:publication_open_json",
    "disclosure:publication_embed",
    "disclosure:publication_embed_first_address",  # a redirect to the embed
    "disclosure:inspection_open_csv",
    "disclosure:inspection_open_json",
    "disclosure:inspection_results_embed",
    "inspection_public:verify_script",
    "healthz",
    "audit:anchor",
    "roster:login",
}

# The print view of a decision is laid out for A4 paper, without the site's header or reading preferences:
# axe-core only.
AXE_ONLY = {"disclosure:publication_print"}

WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
MODES = {"normal": (preferences.ViewPrefs(), 16, 44), "elder": (preferences.ViewPrefs(elder=True), 18, 48)}

# Visible text smaller than `min` px (SVG text at its drawn size), as "tag.class 'text' size".
SMALL_TEXT_JS = """(min) => {
  const small = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const rects = el.getClientRects();
    const style = getComputedStyle(el);
    if (!rects.length || style.visibility === 'hidden' || style.display === 'none') continue;
    if (el.closest('.skip')) continue;  // the skip link is off-screen until focused
    let size = parseFloat(style.fontSize);
    if (el instanceof SVGElement && el.getScreenCTM) {
      const m = el.getScreenCTM();
      size = size * Math.sqrt(m.a * m.a + m.b * m.b);
    }
    if (size < min - 0.01) {
      small.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} '${el.textContent.trim().slice(0, 20)}' ${size.toFixed(1)}px`);
    }
  }
  return small;
}"""

# Targets (header links, the switch, buttons, fields) lower than `min` px.
SMALL_TARGETS_JS = """(min) => {
  const sel = '.public-nav a, .view-switch a, .button, button, input:not([type=hidden]), select, .pager a, .toc summary';
  return [...document.querySelectorAll(sel)]
    .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
    .filter(el => el.getBoundingClientRect().height < min - 0.5)
    .map(el => `${el.tagName.toLowerCase()} '${(el.textContent || el.value || el.name).trim().slice(0, 20)}' ${el.getBoundingClientRect().height.toFixed(1)}px`);
}"""

# In the elder mode the enhanced contrast rule (WCAG 1.4.6, 7:1) runs as well: off by default in axe-core.
AXE_RUN_JS = """async (enhanced) => {
  const rules = {'color-contrast-enhanced': {enabled: enhanced}};
  const result = await axe.run(document, {resultTypes: ['violations'], rules});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


def test_the_vendored_axe_core_is_the_pinned_file():
    """The test harness runs exactly the axe-core the manifest names (npm pack axe-core@<version>)."""
    manifest = json.loads((AXE_DIR / "MANIFEST.json").read_text())
    for name, sha256 in manifest["files"].items():
        data = (AXE_DIR / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha256, f"{name} differs from the pinned file"
        assert data.startswith(f"/*! axe v{manifest['version']}".encode()), (
            f"{name} is not axe {manifest['version']}"
        )


def _site_pages(make_case, unit_head, bureau_head, officer) -> dict[str, str]:
    """Every public page in the site's layout, with content to show: the public URL names (without an object)
    and one page of each kind about an object (a published decision, its print view and 纠错 form, a
    certificate, a document, a procedure, a guide)."""
    PowerItem.objects.create(
        code="CF-SP-001",
        kind=PowerKind.PENALTY,
        field="食品安全",
        name="对经营超过保质期食品的行政处罚",
        legal_basis="《中华人民共和国食品安全法》第一百二十四条",
    )
    PowerItem.objects.create(
        code="JC-SP-001",
        kind=PowerKind.INSPECTION,
        field="食品安全",
        name="对食品经营者的监督检查",
        legal_basis="《中华人民共和国食品安全法》第一百一十条",
    )
    matter = PowerItem.objects.get(code="CF-SP-001")
    benchmark = DiscretionBenchmark.objects.create(
        power_item=matter,
        violation="经营超过保质期的食品",
        legal_basis="《中华人民共和国食品安全法》第一百二十四条第一款第五项",
        statutory_range="货值金额不足一万元的，并处五万元以上十万元以下罚款",
    )
    BenchmarkRange.objects.create(
        benchmark=benchmark, level="lenient", conditions="初次违法，及时改正", fine_min=50000, fine_max=65000
    )
    procedure = Procedure.objects.create(title="行政处罚一般程序", category="行政处罚", basis="行政处罚法")
    for order, name in enumerate(["立案", "调查取证", "重大执法决定法制审核", "作出决定"], start=1):
        ProcedureStep.objects.create(
            procedure=procedure, order=order, name=name, actor="执法人员", time_limit="5个工作日"
        )
    guide = ServiceGuide.objects.create(
        name="投诉举报",
        accepting_body="武定县市场监督管理局",
        basis="《市场监督管理投诉举报处理暂行办法》",
        conditions="与经营者发生消费者权益争议的",
        materials="投诉书\n身份证明",
        time_limit="7个工作日内决定是否受理",
        place="武定县狮山镇",
        phone="0878-12345",
    )
    case = lawful_decided_case(make_case, unit_head, bureau_head, officer)
    decision = issue_decision(case, officer)
    served_at = timezone.localtime(decision.issued_at) + timezone.timedelta(minutes=1)
    serve(decision, officer, served_at=served_at.strftime("%Y-%m-%dT%H:%M"))
    publication = Publication.objects.get(document=decision)
    publication.publish(by=bureau_head)

    pages = {name: reverse(name) for name in sorted(PUBLIC - NOT_SITE_PAGES)}
    pages.update(
        {
            "disclosure:view_settings": reverse("disclosure:view_settings"),
            "disclosure:publication_detail": reverse("disclosure:publication_detail", args=[publication.pk]),
            "disclosure:publication_report": reverse("disclosure:publication_report", args=[publication.pk]),
            "disclosure:publication_print": reverse("disclosure:publication_print", args=[publication.pk]),
            "disclosure:verify_certificate": signed_certificate_path(
                Certificate.objects.filter(holder=officer).first().number
            ),
            "disclosure:verify_document": reverse(
                "disclosure:verify_document", args=[decision.verification_code]
            ),
            "disclosure:procedure_detail": reverse("disclosure:procedure_detail", args=[procedure.pk]),
            "disclosure:guide_detail": reverse("disclosure:guide_detail", args=[guide.pk]),
        }
    )
    return pages


def test_every_public_page_passes_axe_and_the_elder_criteria_in_both_modes_and_widths(
    browser, live_server, make_case, unit_head, bureau_head, officer
):
    pages = _site_pages(make_case, unit_head, bureau_head, officer)
    axe = (AXE_DIR / "axe.min.js").read_text()
    problems: list[str] = []
    figures = {}
    for width_name, viewport in WIDTHS.items():
        for mode_name, (prefs, min_text, min_target) in MODES.items():
            options = {"base_url": live_server.url, "locale": "zh-CN", "viewport": viewport}
            if width_name == "phone":
                options.update(device_scale_factor=2, is_mobile=True, has_touch=True)
            # bypass_csp: the site's CSP (script-src 'self') would refuse the injected axe script.
            context = browser.new_context(**options, bypass_csp=True)
            context.set_default_timeout(15_000)
            context.add_cookies([{"name": preferences.COOKIE, "value": prefs.key, "url": live_server.url}])
            try:
                tab = context.new_page()
                checked = 0
                for name, path in pages.items():
                    where = f"{width_name}/{mode_name} {path} ({name})"
                    response = tab.goto(path)
                    assert response is not None and response.status == 200, (
                        f"{where}: {response and response.status}"
                    )
                    if name in AXE_ONLY:
                        pass
                    elif "view-switch" in tab.content():
                        # The page came in the visitor's mode: the root carries the mode and size classes.
                        assert tab.evaluate("document.documentElement.className") == prefs.html_class, where
                        small = tab.evaluate(SMALL_TEXT_JS, min_text)
                        problems += [f"{where}: text under {min_text}px: {s}" for s in small]
                        targets = tab.evaluate(SMALL_TARGETS_JS, min_target)
                        problems += [f"{where}: target under {min_target}px: {t}" for t in targets]
                        overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                        if overflow > 0:
                            problems.append(f"{where}: scrolls sideways by {overflow}px")
                    else:
                        problems.append(f"{where}: no reading-preference switch in the header")
                    tab.add_script_tag(content=axe)
                    for violation in tab.evaluate(AXE_RUN_JS, mode_name == "elder"):
                        problems.append(
                            f"{where}: axe {violation['impact']} {violation['id']} {violation['nodes']}"
                        )
                    checked += 1
                figures[f"{width_name}/{mode_name}"] = checked
                if width_name == "phone":
                    ARTIFACTS.mkdir(exist_ok=True)
                    tab.goto(pages["public_benchmarks"])
                    tab.screenshot(
                        path=str(ARTIFACTS / f"a11y-benchmarks-{mode_name}-phone.png"), full_page=True
                    )
            finally:
                context.close()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:80])
    assert all(n == len(pages) for n in figures.values()), figures
