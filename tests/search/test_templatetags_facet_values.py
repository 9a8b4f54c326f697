"""search/templatetags/facet_values.py: the facet value list's markup."""

from __future__ import annotations

from search.results import FacetValue
from search.templatetags.facet_values import facet_values, value_html
from search.views import FacetItem


def _item(label: str = "JA - Japan", count: int = 3, **flags) -> FacetItem:
    return FacetItem(
        value=FacetValue("JA", label, count, **flags),
        id="fv-country-JA",
        toggle_url="/search?q=a&country=JA",
        exclude_url="/search?q=a&country=-JA",
    )


def test_a_value_is_a_checkbox_link_that_htmx_fetches():
    html = value_html(_item())
    assert 'role="checkbox" aria-checked="false"' in html
    assert 'href="/search?q=a&amp;country=JA" hx-get="/search?q=a&amp;country=JA"' in html


def test_a_selected_value_is_checked():
    html = value_html(_item(selected=True))
    assert 'class="facet-value is-selected"' in html
    assert 'aria-checked="true"' in html


def test_labels_are_escaped():
    html = value_html(_item(label="<b>&"))
    assert "&lt;b&gt;&amp;" in html
    assert "<b>" not in html


def test_a_value_offers_its_exclusion():
    html = value_html(_item())
    assert 'id="fv-country-JA-x" class="facet-exclude" href="/search?q=a&amp;country=-JA"' in html


def test_an_excluded_value_says_so_and_offers_no_second_exclusion():
    html = value_html(_item(excluded=True))
    assert "is-excluded" in html
    assert "(excluded)" in html
    assert "facet-exclude" not in html


def test_the_count_names_cables_in_the_plural_but_one():
    assert "> cables</span>" in value_html(_item(count=2))
    assert "> cable</span>" in value_html(_item(count=1))


def test_a_plain_list_has_no_htmx():
    assert "hx-get" not in value_html(_item(), plain=True)


def test_the_list_keeps_the_order_and_is_safe_for_templates():
    items = [_item(), _item(label="RS - Russia")]
    html = facet_values(items)
    assert html.index("Japan") < html.index("Russia")
    assert hasattr(html, "__html__")
