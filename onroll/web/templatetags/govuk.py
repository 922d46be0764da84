"""Template helpers for GOV.UK components where the template language would be slow."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


def _option(key, label, current: str) -> str:
    selected = " selected" if str(key) == current else ""
    return f'<option value="{escape(str(key))}"{selected}>{escape(str(label))}</option>'


@register.simple_tag
def select_options(field):
    """A select's <option>s built in one pass: a register filter can list a thousand schools, and a
    template loop over them costs tens of milliseconds a page. Values and labels are escaped here."""
    value = field.value()
    current = "" if value is None else str(value)
    return mark_safe("".join(_option(key, label, current) for key, label in field.field.choices))
