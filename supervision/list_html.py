"""The rows of a drill-down list's table (templates/supervision/_dashboard_list_body.html), written out in Python
rather than by a template loop: a page shows 50 rows of six cells, each with its links, and the template loop
cost more than the rest of the list's body once its rows and counts come from the cache (the overdue list is
rebuilt after every save of the systems: cases/staff_cache.py). The markup is the template's as it was,
byte for byte (tests/supervision/test_list_html.py holds the two together); everything read from the rows
is escaped, as the template escaped it."""

from django.template.defaultfilters import linebreaksbr
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from wuding_enforcement.shared.chinese import cn_date


def _case_number(c: dict) -> SafeString:
    if c["link"]:
        return format_html('<a href="{}">{}</a>', c["url"], c["case"].number)
    return conditional_escape(c["case"].number)


def _cases_cell(cases: list[dict]) -> SafeString:
    if len(cases) > 1:
        return mark_safe("<br>".join(_case_number(c) for c in cases))  # noqa: S308 - escaped above
    return format_html_join(
        "",
        '{}<br><small class="muted">{}</small>',
        ((_case_number(c), c["title"] or "（涉密案件，案由不予显示）") for c in cases),
    )


def rows_html(figure, rows: list[dict]) -> SafeString:
    """The <tr> of each row (views_dashboard._rows) of a list of `figure` (a dashboard_figures.Figure)."""
    out = []
    for row in rows:
        item = row["item"]
        cells = [format_html('    <tr class="sv-row-{}">\n', item.level)]
        if figure.has_case:
            cells.append(
                format_html(
                    '      <td class="sv-cases" data-label="案件">{}</td>\n', _cases_cell(row["cases"])
                )
            )
        subject = format_html('<a href="{}">{}</a>', item.url, item.subject) if item.url else item.subject
        cells.append(format_html('      <td data-label="{}">{}</td>\n', figure.subject_label, subject))
        due = format_html(
            '<td class="nowrap" data-label="{}">{}</td>', figure.due_label, cn_date(item.due) or "—"
        )
        cells.append(format_html("      {}\n", due if figure.due_label else ""))
        cells.append(
            format_html(
                '      <td data-label="{}"><span class="status {}">{}</span></td>\n',
                figure.timing_label,
                item.level,
                item.timing,
            )
        )
        cells.append(format_html('      <td data-label="单位">{}</td>\n', item.unit or "—"))
        people = (
            format_html(
                '<td data-label="人员">{}</td>',
                "、".join(p.display_name for p in item.people) if item.people else "—",
            )
            if figure.by_officer
            else ""
        )
        cells.append(format_html("      {}\n", people))
        detail = (
            format_html(
                '<td class="sv-detail" data-label="{}">{}</td>',
                figure.detail_label,
                linebreaksbr(row["detail"], autoescape=True),
            )
            if figure.detail_label
            else ""
        )
        cells.append(format_html("      {}\n", detail))
        cells.append(mark_safe("    </tr>\n"))
        out.append("".join(cells))
    return mark_safe("".join(out))  # noqa: S308 - each piece escaped above


def unit_rows_html(unit_rows: list[dict]) -> SafeString:
    """The 按单位 breakdown's rows: the unit, its count linked to the list of that unit."""
    return format_html_join(
        "",
        '<tr><th scope="row">{}</th><td><a href="{}">{}</a></td></tr>',
        ((r["unit"].name, r["url"], r["count"]) for r in unit_rows),
    )


def officer_rows_html(officer_rows: list[dict]) -> SafeString:
    """The 按人员 breakdown's rows: the person, their unit, their count linked to the list of that person."""
    return format_html_join(
        "",
        '<tr><th scope="row">{}</th><td>{}</td><td><a href="{}">{}</a></td></tr>',
        ((r["person"].display_name, r["person"].unit or "—", r["url"], r["count"]) for r in officer_rows),
    )
