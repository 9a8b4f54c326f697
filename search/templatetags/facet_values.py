"""The facet value list in one tag: the sidebar's hot loop.

A search page lists over a hundred facet values; as an ``{% include %}`` per value they were
about a third of the page's rendering time (two nested templates, ~20 nodes each, 122 times).
Here each value is one string with the same markup, every value escaped as autoescape does.

    {% load facet_values %}
    <ul class="facet-values">{% facet_values items plain %}</ul>
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_EXCLUDED = '<span class="visually-hidden"> (excluded)</span>'


def value_html(item, plain: bool = False) -> str:
    """One value (a views.FacetItem): a link that toggles it, styled and announced as a
    checkbox, and a small exclude link (HTML, every value escaped)."""
    v = item.value
    ident, label = escape(item.id), escape(v.label)
    toggle = escape(item.toggle_url)
    # htmx fetches the link's own URL; the standalone list page is plain links.
    hx_toggle = "" if plain else f' hx-get="{toggle}"'
    exclude = ""
    if not v.excluded:
        url = escape(item.exclude_url)
        hx = "" if plain else f' hx-get="{url}"'
        exclude = (
            f'<a id="{ident}-x" class="facet-exclude" href="{url}"{hx} title="Exclude {label}">'
            '<span aria-hidden="true">⊘</span></a>'
        )
    return (
        f'<li class="facet-value{" is-selected" if v.selected else ""}'
        f'{" is-excluded" if v.excluded else ""}">\n'
        f'  <a id="{ident}" class="facet-check" role="checkbox" '
        f'aria-checked="{"true" if v.selected else "false"}"\n'
        f'     href="{toggle}"{hx_toggle}>\n'
        '    <span class="box" aria-hidden="true"></span>\n'
        f'    <span class="facet-label">{label}'
        f"{_EXCLUDED if v.excluded else ''}</span>\n"
        f'    <span class="facet-count">{int(v.count)}<span class="visually-hidden"> '
        f"cable{'' if v.count == 1 else 's'}</span></span>\n"
        "  </a>\n"
        f"  {exclude}\n"
        "</li>"
    )


@register.simple_tag
def facet_values(items: Iterable, plain: bool = False) -> SafeString:
    """Every value of a facet list, in order."""
    return mark_safe("\n".join(value_html(item, bool(plain)) for item in items))
