"""监督检查 dashboard for the supervisors (政策法规股 reviewers, bureau heads): the figures of dashboard.py,
each a link to the list behind it, filterable by unit and officer; charts as inline SVG (no script)."""

import functools
from collections import Counter
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from wuding_enforcement.cases import staff_cache
from wuding_enforcement.cases.deadline_rows import CaseDeadline
from wuding_enforcement.roster.decorators import role_required
from wuding_enforcement.roster.models import Staff, Unit
from wuding_enforcement.shared.charts import stacked_bars
from wuding_enforcement.shared.chinese import cn_date

from . import dashboard as board
from . import figure_cache, list_html
from .forms import NoticeForm
from .models import SUPERVISORS

PAGE_SIZE = 50
# Lines of a drill-down list copied into the draft notice offered under it.
NOTICE_LINES = 30
# People shown in the dashboard's by-officer table of deadlines.
TOP_OFFICERS = 15


def _attrs_html(attrs: dict) -> str:
    # django/forms/widgets/attrs.html
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class ListSelect(forms.Select):
    """A <select> with the markup of Django's own (django/forms/widgets/select.html and select_option.html),
    written out in Python: the filter lists every person, and a template include per option cost more than
    the rest of the form."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>']
        for group_name, group_choices, _ in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in group_choices:
                parts.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs_html(option["attrs"])}>'
                    f"{conditional_escape(option['label'])}</option>\n"  # (the option template's last line)
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class FilterForm(forms.Form):
    """GET filters (单位, 人员, 执法类别 处罚/检查): each optional; a value that names no unit or person is
    ignored, with a message, never an error page."""

    unit = forms.ChoiceField(label="单位", required=False, widget=ListSelect)
    officer = forms.ChoiceField(label="人员", required=False, widget=ListSelect)
    procedure = forms.ChoiceField(
        label="执法类别", required=False, choices=[("", "全部"), *board.PROCEDURES.items()], widget=ListSelect
    )

    def __init__(self, *args, units, people, **kwargs):
        super().__init__(*args, **kwargs)
        self._units = {str(u.pk): u for u in units}
        self._people = {str(p.pk): p for p in people}
        cast(forms.ChoiceField, self.fields["unit"]).choices = [("", "全部单位")] + [
            (str(u.pk), u.name) for u in units
        ]
        cast(forms.ChoiceField, self.fields["officer"]).choices = [("", "全部人员")] + [
            (str(p.pk), f"{p.display_name}（{p.unit or '未分配单位'}）") for p in people
        ]

    def chosen(self):
        """(unit, officer), each None when not given or not valid."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return self._units.get(data.get("unit") or ""), self._people.get(data.get("officer") or "")

    @property
    def chosen_procedure(self) -> str:
        """ "penalty", "inspection" or "" (all); an unknown value is ignored like the other filters."""
        value = self.data.get("procedure", "") if self.is_bound else ""
        return value if value in board.PROCEDURES else ""


FILTERS_IGNORED = "筛选条件无效（单位或人员不存在），已忽略。"


def _filters(request, warn=True):
    """The filter form, the active units, the chosen unit and officer, and every staff member by id (with
    their unit: the breakdown tables show it without a query per person). An invalid filter is ignored with
    a message (`warn=False`: the caller says it; form.errors tells)."""
    units, staff = figure_cache.PEOPLE.value("filter-people", _people)
    people = [p for p in staff.values() if p.is_active]
    form = FilterForm(request.GET or None, units=units, people=people)
    unit, officer = form.chosen() if form.is_bound else (None, None)
    if warn and form.is_bound and form.errors:
        messages.warning(request, FILTERS_IGNORED)
    return form, units, unit, officer, staff


def _people() -> tuple[list[Unit], dict[int, Staff]]:
    """The active units and every staff member by id with their unit — only what the filter and the
    breakdowns show of a person (a Staff row is wide: password, names, flags)."""
    units = list(Unit.objects.filter(is_active=True))
    staff = {
        p.pk: p
        for p in Staff.objects.only(*board.PERSON_FIELDS).select_related("unit").order_by("unit__order", "pk")
    }
    return units, staff


def _query(unit=None, officer=None, procedure="") -> str:
    params: dict[str, object] = {}
    if unit is not None:
        params["unit"] = unit.pk
    if officer is not None:
        params["officer"] = officer.pk
    if procedure:
        params["procedure"] = procedure
    return f"?{urlencode(params)}" if params else ""


def _list_url(slug, unit=None, officer=None, procedure="") -> str:
    # The dashboard links every figure of every unit and person (hundreds of links): one reverse() per slug.
    return _list_path(get_script_prefix(), slug) + _query(unit, officer, procedure)


@functools.lru_cache(maxsize=256)
def _list_path(prefix: str, slug: str) -> str:
    return reverse("supervision:dashboard_list", args=[slug])


def _case_url(pk: int) -> str:
    """The case page's address (cases:detail), as reverse() gives it: a list links up to 50 cases, one
    reverse() per process and prefix, the case's id put in place of the last "/0/"."""
    head, tail = _case_path(get_script_prefix())
    return f"{head}/{pk}/{tail}"


@functools.lru_cache(maxsize=16)
def _case_path(prefix: str) -> tuple[str, str]:
    head, _, tail = reverse("cases:detail", args=[0]).rpartition("/0/")
    return head, tail


def _matrix_cells(cells: list[dict]) -> str:
    """A unit's row of the 各单位汇总 matrix (one cell per figure: ~25 per unit), written out here rather than
    by a template loop: <td>, the count linked to its list when there is one. The counts are integers and the
    links this module's own (_list_url: a reversed path and ids, a procedure name, from urlencode), whose one
    character to escape in an attribute is "&" — written as format_html would write it, without its cost per
    cell (~330 cells a page)."""
    return mark_safe(  # noqa: S308 - integers and our own URLs, "&" escaped
        "".join(
            f'<td><a href="{c["url"].replace("&", "&amp;")}">{int(c["count"])}</a></td>'
            if c["count"] and c["url"]
            else f"<td>{int(c['count'])}</td>"
            for c in cells
        )
    )


def _short(unit_name: str) -> str:
    """狮山市场监督管理所 -> 狮山所, for chart labels on a phone."""
    return unit_name.replace("市场监督管理所", "所")


RED_BAR, AMBER_BAR = "#a4241b", "#b07800"


@require_GET
@login_required
@role_required(*SUPERVISORS)
def dashboard(request):
    """Every figure of every panel, by unit, and the deadlines by officer. Queries, fixed whatever the
    data (tests/supervision/test_dashboard.py pins them): the staff page's own (session, user, OTP device,
    roles, the header's permissions and unread count, the user's unit, the session stamp); the filter's
    units and staff (2); then per panel (board.SOURCES): deadlines (the active cases, one per relation
    Case.objects.for_rows() prefetches, the calendar table), audio-video 3, publication 2, review 3,
    certificates 2, training 2, notices 1; the inspection panel and summary (inspection/oversight.py) 6 and 7."""
    today = timezone.localdate()
    form, units, unit, officer, staff = _filters(request)
    procedure = form.chosen_procedure
    # The deadlines panel is counted in SQL on the deadline table (it grows with every case); the other
    # panels follow things that do not (acts of the last weeks, drafts, rounds, people, notices).
    board.deadlines_sql.refresh()
    deadline_counts = board.deadlines_sql.cached_counts(
        today, unit=unit, officer=officer, procedure=procedure
    )
    totals, counts = _panel_counts(today, unit, officer, procedure)
    for slug, tally in deadline_counts.items():
        totals[slug] = tally["total"]
        counts[slug] = tally["by_unit"]
    panels = []
    for key, title in board.PANELS.items():
        if (key == "inspection" and procedure == "penalty") or (
            key == "publication" and procedure == "inspection"
        ):
            continue  # a panel of the other procedure only
        figures = [
            {"figure": f, "count": totals[f.slug], "url": _list_url(f.slug, unit, officer, procedure)}
            for f in board.FIGURES.values()
            if f.panel == key
        ]
        panels.append({"key": key, "title": title, "figures": figures})

    # Units with nothing to follow up are left out; a cell links to its list only when it counts something.
    unit_rows = []
    for u in [*units, None]:
        unit_key = u.pk if u else None
        cells = [
            {
                "count": n,
                "url": _list_url(f.slug, u, officer, procedure) if u and n else "",
            }
            for f in board.FIGURES.values()
            for n in (counts[f.slug][unit_key],)
        ]
        if any(c["count"] for c in cells):
            unit_rows.append(
                {
                    "unit": u,
                    "label": _short(u.name) if u else "未分配单位",
                    "cells": cells,
                    "cells_html": _matrix_cells(cells),
                }
            )

    # Deadlines by unit (chart) and by officer (table).
    chart_rows = [
        (
            _short(u.name),
            [counts["overdue"][u.pk], counts["due-soon"][u.pk]],
            [_list_url("overdue", u, officer, procedure), _list_url("due-soon", u, officer, procedure)],
        )
        for u in units
        if counts["overdue"][u.pk] or counts["due-soon"][u.pk]
    ]
    chart = stacked_bars(
        chart_rows,
        title=f"各单位已逾期和即将到期的法定期限（截至{cn_date(today)}）",
        series=[("已逾期", RED_BAR), ("即将到期", AMBER_BAR)],
    )
    red = deadline_counts["overdue"]["by_officer"]
    amber = deadline_counts["due-soon"]["by_officer"]
    officer_rows = sorted(
        (
            {
                "person": staff[pk],
                "unit_label": _short(str(staff[pk].unit or "—")),
                "red": red[pk],
                "amber": amber[pk],
                "red_url": _list_url("overdue", unit, staff[pk], procedure),
                "amber_url": _list_url("due-soon", unit, staff[pk], procedure),
            }
            for pk in (set(red) | set(amber)) - {None}
            if pk in staff and (red[pk] or amber[pk])
        ),
        key=lambda r: (-r["red"], -r["amber"], r["person"].pk),
    )
    return render(
        request,
        "supervision/dashboard.html",
        {
            "today": today,
            "form": form,
            "unit": unit,
            "officer": officer,
            "panels": panels,
            "figures": list(board.FIGURES.values()),
            "unit_rows": unit_rows,
            "chart": chart,
            "chart_rows": chart_rows,
            "officer_rows": officer_rows[:TOP_OFFICERS],
            "officer_total": len(officer_rows),
            "notice_form": NoticeForm(),
            "window_days": board.WINDOW_DAYS,
            "procedure": procedure,
            "procedure_label": board.PROCEDURES.get(procedure, ""),
            "inspections": (
                figure_cache.panel(
                    "inspection-summary",
                    (today, unit.pk if unit else None),
                    lambda: _inspection_summary(today, unit),
                )
                if procedure != "penalty"
                else None
            ),
        },
    )


def _panel_counts(today, unit, officer, procedure) -> tuple[dict, dict]:
    """Every figure of the panels other than the deadlines (which are counted on the deadline table): its
    total and its count by unit (unit id -> count), for these filters. Each panel (or part of one:
    board.PARTS) from its own section of the cache (figure_cache.PANELS: renewed by a save of what it reads,
    and each day; all read in one round trip) — a panel's queries and its items built in Python only when
    something it reads changed. The same for every supervisor: the dashboard is bureau-wide (the drill-down
    lists, which mask per viewer, are not cached)."""
    variant = (today, unit.pk if unit else None, officer.pk if officer else None, procedure)

    def build(part):
        collected = board.collect_part(today, part)
        items = {
            slug: board.filter_items(rows, unit=unit, officer=officer, procedure=procedure)
            for slug, rows in collected.items()
        }
        return {slug: len(rows) for slug, rows in items.items()}, {
            slug: dict(board.by_unit(rows)) for slug, rows in items.items()
        }

    found = figure_cache.panels({part: (variant, functools.partial(build, part)) for part in board.PARTS})
    # Every figure of these panels, zero unless a part counted it.
    totals: dict = {slug: 0 for slug, f in board.FIGURES.items() if f.panel != "deadlines"}
    by_unit: dict = {slug: {} for slug in totals}
    for part_totals, part_by_unit in found.values():
        totals.update(part_totals)
        by_unit.update(part_by_unit)
    return totals, {slug: Counter(tally) for slug, tally in by_unit.items()}


def _inspection_summary(today, unit) -> dict:
    """This year's inspections per unit, per officer and per entity against the caps (inspection/oversight.py),
    the entities inspected often and the ratings — read in SQL, a fixed number of queries."""
    from inspection import oversight

    year = today.year
    units = oversight.per_unit(year)
    if unit is not None:
        units = [row for row in units if row["unit_id"] == unit.pk]
    ratings = oversight.ratings(year, low=False)
    return {
        "year": year,
        "units": units,
        "officers": oversight.per_officer(year)[:TOP_OFFICERS],
        "over_cap": oversight.per_entity(year, only_over=True),
        "frequent": oversight.frequent_entities(year),
        "ratings": {"count": ratings["count"], "average": ratings["average"], "by_unit": ratings["by_unit"]},
    }


@require_GET
@login_required
@role_required(*SUPERVISORS)
def dashboard_list(request, figure):
    """The list behind one figure, filterable by unit and officer, with its breakdowns and a draft notice
    prefilled with the listed items. Case titles (案由) and classified details of cases holding classified
    records are masked for viewers Case.may_see_classified does not admit; case numbers link to the case
    page only where the viewer may open it. Queries: the dashboard's for this figure's panel only, then
    for the page shown: classified cases (1), the viewer's classified access (1), the cases the viewer may
    open (1, none for bureau heads)."""
    fig = board.FIGURES.get(figure)
    if fig is None:
        raise Http404("没有这一监督检查项目。")
    today = timezone.localdate()
    if fig.panel == "deadlines":
        return _deadline_list(request, fig, today)
    form, units, unit, officer, staff = _filters(request)
    procedure = form.chosen_procedure
    everything = board.collect(today, panels=[fig.panel])[fig.slug]
    items = board.filter_items(everything, unit=unit, officer=officer, procedure=procedure)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))

    rows = _rows(request, page.object_list)
    unit_counts = board.by_unit(items)
    unit_rows = [
        {"unit": u, "count": unit_counts[u.pk], "url": _list_url(fig.slug, u, officer, procedure)}
        for u in units
        if unit_counts[u.pk]
    ]
    officer_counts, people = board.by_officer(items)
    officer_rows = sorted(
        (
            {
                "person": staff.get(pk, p),
                "count": officer_counts[pk],
                "url": _list_url(fig.slug, unit, p, procedure),
            }
            for pk, p in people.items()
        ),
        key=lambda r: (-r["count"], r["person"].pk),
    )
    return render(
        request,
        "supervision/dashboard_list.html",
        {
            "today": today,
            "figure": fig,
            "panel_title": board.PANELS[fig.panel],
            "form": form,
            "action": request.path,
            "query": request.GET,
            "unit": unit,
            "officer": officer,
            "officer_ignored": officer is not None and not fig.by_officer,
            "page": page,
            "rows": rows,
            "rows_html": list_html.rows_html(fig, rows),
            "unit_rows_html": list_html.unit_rows_html(unit_rows),
            "officer_rows_html": list_html.officer_rows_html(officer_rows),
            "total": len(items),
            "unit_rows": unit_rows,
            "officer_rows": officer_rows,
            "notice_form": NoticeForm(initial=_notice_draft(fig, items, unit, officer, today)),
        },
    )


def _rows(request, page_items) -> list[dict]:
    """The rows of a page of items: case links and titles as the viewer may see them (three queries)."""
    cases = {c.pk: c for item in page_items for c in item.cases}
    classified = board.classified_case_ids(cases)
    cleared = board.may_see_classified_ids(request.user, cases.values())
    visible = board.visible_case_ids(request.user, cases)
    rows = []
    for item in page_items:
        masked_detail = item.detail_classified and not all(c.pk in cleared for c in item.cases)
        rows.append(
            {
                "item": item,
                "cases": [
                    {
                        "case": c,
                        "link": c.pk in visible,
                        "url": _case_url(c.pk) if c.pk in visible else "",
                        "title": c.title if c.pk not in classified or c.pk in cleared else "",
                    }
                    for c in item.cases
                ],
                "detail": "（涉密记录，无权查看）" if masked_detail else item.detail,
            }
        )
    return rows


# The first line of a cached deadline list's body when its filters named no unit or person: each request that
# serves it says so in a message (messages are never cached).
_IGNORED_MARK = "<!--filters-ignored-->\n"


def _deadline_list(request, fig, today):
    """The overdue / due-soon list. The role check (the decorators) runs on every request; the body below the
    header is cached per user (rows are masked per viewer), figure, filters and page in the staff pages'
    section (cases/staff_cache.py: renewed by any save of what a staff page shows and by the deadline
    table's bulk writes; keyed by today's date, when the clocks in days turn; valid until the next moment
    an open clock in hours turns late, CaseDeadline.objects.marks: it then leaves the due-soon list and
    enters the overdue one). The header (CSRF token, messages, the unread count) is rendered per request."""

    def build() -> str:
        return _deadline_list_body(request, fig, today)

    html = staff_cache.cached_body(request, f"supervision:list:{fig.slug}", today, build)
    if html.startswith(_IGNORED_MARK):
        messages.warning(request, FILTERS_IGNORED)
        html = mark_safe(html[len(_IGNORED_MARK) :])  # noqa: S308 - our own rendered body, less a comment
    return render(request, "supervision/dashboard_list.html", {"figure": fig, "body": html})


def _deadline_list_body(request, fig, today) -> str:
    """The body of the overdue / due-soon list, counted and paged in SQL on the deadline table: the page's
    rows, the counts by unit and by officer, the first NOTICE_LINES for the draft notice — a fixed number of
    queries whatever the number of cases; its first line says until when it holds (staff_cache.with_until)."""
    form, units, unit, officer, staff = _filters(request, warn=False)
    procedure = form.chosen_procedure
    board.deadlines_sql.refresh()
    now = board.deadlines_sql.moment(today)
    marks = CaseDeadline.objects.marks(now)
    filters = {"unit": unit, "officer": officer, "procedure": procedure, "marks": marks}
    tally = board.deadlines_sql.cached_counts(
        today, unit=unit, officer=officer, figures=[fig.slug], procedure=procedure, marks=marks
    )[fig.slug]
    total = tally["total"]
    page = Paginator(cast(list[Any], range(total)), PAGE_SIZE).get_page(request.GET.get("page"))
    window = (
        board.deadlines_sql.cached_window(
            fig.slug, today, page.start_index() - 1, page.end_index(), **filters
        )
        if total
        else []
    )
    page.object_list = [board.deadline_item(row, fig.slug, today, now) for row in window]
    notice_items = (
        page.object_list
        if page.number == 1
        else [
            board.deadline_item(row, fig.slug, today, now)
            for row in board.deadlines_sql.cached_window(fig.slug, today, 0, NOTICE_LINES, **filters)
        ]
    )
    unit_rows = [
        {"unit": u, "count": tally["by_unit"][u.pk], "url": _list_url(fig.slug, u, officer, procedure)}
        for u in units
        if tally["by_unit"][u.pk]
    ]
    officer_rows = sorted(
        (
            {"person": staff[pk], "count": n, "url": _list_url(fig.slug, unit, staff[pk], procedure)}
            for pk, n in tally["by_officer"].items()
            if pk in staff and n
        ),
        key=lambda r: (-r["count"], r["person"].pk),
    )
    rows = _rows(request, page.object_list)
    html: str = render_to_string(
        "supervision/_dashboard_list_body.html",
        staff_cache.body_context(
            {
                "today": today,
                "figure": fig,
                "panel_title": board.PANELS[fig.panel],
                "form": form,
                "action": request.path,
                "query": request.GET,
                "unit": unit,
                "officer": officer,
                "officer_ignored": False,
                "page": page,
                "rows": rows,
                "rows_html": list_html.rows_html(fig, rows),
                "unit_rows_html": list_html.unit_rows_html(unit_rows),
                "officer_rows_html": list_html.officer_rows_html(officer_rows),
                "total": total,
                "unit_rows": unit_rows,
                "officer_rows": officer_rows,
                "notice_form": NoticeForm(
                    initial=_notice_draft(fig, notice_items, unit, officer, today, total=total)
                ),
            }
        ),
    )
    if form.is_bound and form.errors:
        html = _IGNORED_MARK + html
    # Every open clock in hours that could enter either list turns at marks[1] (the next one to turn late):
    # the body holds until then; the clocks in days turn at midnight, with the key's date.
    turns = marks[1]
    return staff_cache.with_until(html, f"{turns.timestamp()}" if turns is not None else "")


def _notice_draft(fig, items, unit, officer, today, total=None) -> dict:
    """A draft 督查通报 listing the items by case number and what is late — no case titles, no
    classified details (the notice goes to the units)."""
    scope = "、".join(x for x in (unit.name if unit else "", officer.display_name if officer else "") if x)
    total = len(items) if total is None else total
    lines = [
        f"经监督检查（截至{cn_date(today)}{'，' + scope if scope else ''}），“{fig.title}”共{total}项：",
    ]
    for n, item in enumerate(items[:NOTICE_LINES], start=1):
        numbers = "、".join(c.number for c in item.cases)
        where = f"（{item.unit.name}）" if item.unit else ""
        lines.append(f"{n}. {numbers + ' ' if numbers else ''}{item.subject} {item.timing}{where}".strip())
    if total > NOTICE_LINES:
        lines.append(f"……其余{total - NOTICE_LINES}项见监督检查看板。")
    lines.append("请责任单位在整改期限内整改并反馈。")
    return {"title": f"关于{fig.title}的督查通报", "summary": "\n".join(lines)}
