"""The 程序补救 panel of the supervision dashboard, as its own include (supervision/remedies.py)."""

from django import template

from supervision.remedies import SHOWN, open_remedies

register = template.Library()


@register.inclusion_tag("supervision/_remedies.html")
def procedure_remedies():
    """One query: the open remedies (at most SHOWN listed, the rest counted)."""
    rows = list(open_remedies()[: SHOWN + 1])
    return {"remedies": rows[:SHOWN], "more": len(rows) > SHOWN}
