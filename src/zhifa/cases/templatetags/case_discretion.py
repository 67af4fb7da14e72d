"""`{% case_discretion case %}`: the 裁量基准 check of a penalty case (118号), shown on the
case page and on the legal reviewer's page; `{% case_discretion_view case as d %}` gives the
same data for a template of its own."""

from __future__ import annotations

from django import template

from zhifa.cases import selectors

register = template.Library()


@register.simple_tag
def case_discretion_view(case):
    return selectors.discretion_view(case)


@register.inclusion_tag("cases/_discretion.html")
def case_discretion(case) -> dict:
    return {"d": selectors.discretion_view(case)}
