"""The dashboard's filter lists (views_dashboard.ListSelect) are written out in Python for speed: their markup
must be exactly Django's own <select> (the same template output, escaping, selection and error attributes)."""

from types import SimpleNamespace

import pytest
from django import forms

from supervision.views_dashboard import FilterForm, ListSelect


def form(data):
    units = [SimpleNamespace(pk=1, name="狮山所"), SimpleNamespace(pk=2, name='高桥<所>"&')]
    people = [
        SimpleNamespace(pk=7, display_name="李桂芬", unit=units[0]),
        SimpleNamespace(pk=8, display_name="王'志强<b>", unit=None),
    ]
    return FilterForm(data, units=units, people=people)


@pytest.mark.parametrize(
    "data", [None, {"unit": "2", "officer": "8", "procedure": "inspection"}, {"officer": "999"}]
)
def test_the_lists_are_djangos_own_markup(data):
    bound = form(data)
    for name in ("unit", "officer", "procedure"):
        assert isinstance(bound.fields[name].widget, ListSelect)
        django_own = bound[name].as_widget(widget=forms.Select(choices=bound.fields[name].choices))
        assert str(bound[name]) == django_own
    assert "&lt;b&gt;" in str(bound["officer"]) and "<b>" not in str(bound["officer"])
