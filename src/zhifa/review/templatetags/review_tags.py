from django import template

register = template.Library()


@register.inclusion_tag("review/_case_section_body.html", takes_context=True)
def review_case_section(context, case):
    """The 法制审核 section of a case page: requirement, reviews, discussions, links."""
    from zhifa.review import permissions, selectors

    user = context["request"].user
    section = selectors.case_section(case=case)
    open_review = any(r.open for r in section["reviews"])
    acting = permissions.can_act(user)
    return {
        **section,
        "case": case,
        "can_download": permissions.can_view_reviews(user),
        "can_submit": acting and case.step == "legal_review" and not open_review,
        "can_discuss": acting
        and case.status == "open"
        and case.decided_on is None
        and user.groups.filter(name="局领导").exists(),
    }
