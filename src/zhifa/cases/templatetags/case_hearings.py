"""`{% case_hearing_section case %}`: the case's 听证笔录 and its requests to extend the
decision deadline (处罚法 arts. 60, 64), on the case page; `{% case_hearing_records case as
hearings %}` gives the hearing records to another template (the legal-review package lists
them among its materials). Read-only: the caller has already scoped `case` to the user."""

from __future__ import annotations

from django import template

from zhifa.cases import clocks, selectors

register = template.Library()


@register.simple_tag
def case_hearing_records(case):
    return selectors.hearing_records(case)


@register.inclusion_tag("cases/_hearings.html")
def case_hearing_section(case) -> dict:
    due = days = None
    if case.extended and case.filed_on and case.kind == "penalty":
        days = clocks.penalty_decision_days(case)
        due = clocks.decision_due(case.filed_on, days)
    return {
        "hearings": selectors.hearing_records(case),
        "extensions": selectors.case_extensions(case),
        "due": due,
        "days": days,
    }
