"""The drill-down lists' rows written out in Python (supervision/list_html.py) say what the template loop they
replaced said: the same elements, attributes and escaped text, whitespace between tags aside. The loops are
kept here as the reference, run on rows that take every branch (one case or several, linked or not, masked
title, no subject link, no due date, nobody, a detail on several lines, text that must be escaped)."""

import dataclasses
import datetime
import re
from types import SimpleNamespace

from django.template import Context, Template

from supervision import list_html
from supervision.dashboard import Item
from supervision.dashboard_figures import Figure

ROWS_TEMPLATE = """  {% for row in rows %}
    <tr class="sv-row-{{ row.item.level }}">
      {% if figure.has_case %}
      <td class="sv-cases" data-label="案件">{% if row.cases|length > 1 %}{% for c in row.cases %}{% if c.link %}<a href="{{ c.url }}">{{ c.case.number }}</a>{% else %}{{ c.case.number }}{% endif %}{% if not forloop.last %}<br>{% endif %}{% endfor %}{% else %}{% for c in row.cases %}{% if c.link %}<a href="{{ c.url }}">{{ c.case.number }}</a>{% else %}{{ c.case.number }}{% endif %}<br><small class="muted">{% if c.title %}{{ c.title }}{% else %}（涉密案件，案由不予显示）{% endif %}</small>{% endfor %}{% endif %}</td>
      {% endif %}
      <td data-label="{{ figure.subject_label }}">{% if row.item.url %}<a href="{{ row.item.url }}">{{ row.item.subject }}</a>{% else %}{{ row.item.subject }}{% endif %}</td>
      {% if figure.due_label %}<td class="nowrap" data-label="{{ figure.due_label }}">{{ row.item.due|cn_date|default:"—" }}</td>{% endif %}
      <td data-label="{{ figure.timing_label }}"><span class="status {{ row.item.level }}">{{ row.item.timing }}</span></td>
      <td data-label="单位">{{ row.item.unit|default:"—" }}</td>
      {% if figure.by_officer %}<td data-label="人员">{% for p in row.item.people %}{{ p.display_name }}{% if not forloop.last %}、{% endif %}{% empty %}—{% endfor %}</td>{% endif %}
      {% if figure.detail_label %}<td class="sv-detail" data-label="{{ figure.detail_label }}">{{ row.detail|linebreaksbr }}</td>{% endif %}
    </tr>
  {% endfor %}
"""
UNIT_ROWS_TEMPLATE = """{% for r in unit_rows %}<tr><th scope="row">{{ r.unit.name }}</th><td><a href="{{ r.url }}">{{ r.count }}</a></td></tr>{% endfor %}"""
OFFICER_ROWS_TEMPLATE = """{% for r in officer_rows %}<tr><th scope="row">{{ r.person.display_name }}</th><td>{{ r.person.unit|default:"—" }}</td><td><a href="{{ r.url }}">{{ r.count }}</a></td></tr>{% endfor %}"""


def squeezed(html) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


def person(name, unit=None):
    return SimpleNamespace(display_name=name, unit=unit, pk=hash(name))


def case(number, title):
    return SimpleNamespace(number=number, title=title)


class Unit:
    def __init__(self, name):
        self.name = name

    def __str__(self):
        return self.name


def rows():
    shishan = Unit("狮山市场监督管理所 <甲>")
    first = case("武市监立〔2026〕12号", "涉嫌销售过期食品案")
    second = case("武市监立〔2026〕13号", "")
    item = Item(
        figure="overdue",
        level="red",
        unit=shishan,
        people=(person("林 & 芳"), person("王强")),
        subject="立案审批期限",
        url="/staff/cases/12/?tab=deadline&x=<1>",
        due=datetime.date(2026, 11, 3),
        timing="已逾期3个工作日",
    )
    return [
        {
            "item": item,
            "cases": [{"case": first, "link": True, "url": "/staff/cases/12/", "title": first.title}],
            "detail": "第一行\n第二行 <b>粗</b>",
        },
        {
            "item": dataclasses.replace(item, url="", due=None, unit=None, people=(), level="amber"),
            "cases": [
                {"case": first, "link": False, "url": "", "title": first.title},
                {"case": second, "link": True, "url": "/staff/cases/13/", "title": ""},
            ],
            "detail": "（涉密记录，无权查看）",
        },
        {
            "item": dataclasses.replace(item, subject="<script>alert(1)</script>", url=""),
            "cases": [{"case": second, "link": False, "url": "", "title": ""}],
            "detail": "",
        },
    ]


FIGURES = [
    Figure(slug="overdue", panel="deadlines", title="已逾期", definition="", level="red"),
    Figure(
        slug="x",
        panel="notices",
        title="x",
        definition="",
        level="red",
        due_label="",
        detail_label="",
        has_case=False,
        by_officer=False,
    ),
]


def test_the_rows_say_what_the_template_said():
    for figure in FIGURES:
        context = {"figure": figure, "rows": rows()}
        expected = Template(ROWS_TEMPLATE).render(Context(context))
        assert squeezed(list_html.rows_html(figure, context["rows"])) == squeezed(expected)
        assert "<script>" not in expected  # the reference escapes: so must the rows


def test_the_breakdowns_say_what_the_template_said():
    shishan = Unit("狮山所 <甲>")
    unit_rows = [{"unit": shishan, "url": "/l/?unit=1&officer=2", "count": 3}]
    officer_rows = [
        {"person": person("林 & 芳", shishan), "url": "/l/?officer=2", "count": 2},
        {"person": person("王强"), "url": "/l/?officer=3", "count": 1},
    ]
    assert list_html.unit_rows_html(unit_rows) == Template(UNIT_ROWS_TEMPLATE).render(
        Context({"unit_rows": unit_rows})
    )
    assert list_html.officer_rows_html(officer_rows) == Template(OFFICER_ROWS_TEMPLATE).render(
        Context({"officer_rows": officer_rows})
    )


def test_the_unit_matrix_cells_are_what_format_html_writes():
    """views_dashboard._matrix_cells writes its cells without format_html's cost: the same bytes."""
    from django.utils.html import format_html, format_html_join

    from supervision.views_dashboard import _list_url, _matrix_cells

    shishan = SimpleNamespace(pk=3)
    officer = SimpleNamespace(pk=12)
    cells = [
        {"count": 4, "url": _list_url("overdue", shishan, officer, "inspection")},
        {"count": 0, "url": ""},
        {"count": 2, "url": ""},
        {"count": 0, "url": _list_url("due-soon", shishan)},
    ]
    reference = format_html_join(
        "",
        "<td>{}</td>",
        (
            (
                format_html('<a href="{}">{}</a>', c["url"], c["count"])
                if c["count"] and c["url"]
                else c["count"],
            )
            for c in cells
        ),
    )
    assert "&amp;" in reference
    assert _matrix_cells(cells) == reference
