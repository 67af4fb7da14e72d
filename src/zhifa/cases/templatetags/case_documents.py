"""`{% case_documents case request.user as docs %}`: what the case page's 文书 section shows
(issued documents, the kinds issuable now, whether the user may issue), without the case view
having to know about documents."""

from __future__ import annotations

from django import template

from zhifa.cases import documents

register = template.Library()


@register.simple_tag
def case_documents(case, user) -> dict:
    may_issue = documents.can_issue(user, case)
    return {
        "issued": list(documents.document_list(case=case)),
        "kinds": documents.issuable_kinds(case) if may_issue else [],
        "can_issue": may_issue,
    }
