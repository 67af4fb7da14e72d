"""Reads of the catalogue. Laws, flows and standard templates are shared by every agency;
enforcement items, agency templates and numbering patterns are scoped to the caller's agency."""

from __future__ import annotations

import re

from django.db.models import Count, Prefetch, Q, QuerySet

from zhifa.catalog.models import (
    Article,
    DocumentTemplate,
    EnforcementItem,
    EnforcementItemVersion,
    FlowDefinition,
    FlowStep,
    FlowTransition,
    InspectionBasis,
    ItemBasis,
    Law,
    NumberingPattern,
    RandomInspectionItem,
    VersionStatus,
)
from zhifa.catalog.numerals import to_chinese
from zhifa.org.selectors import own_agency_id, scope

ARABIC_ARTICLE = re.compile(r"^第?(\d{1,4})条?$")


def law_list(*, query: str = "") -> QuerySet[Law]:
    laws = Law.objects.annotate(article_count=Count("articles"))
    if query:
        laws = laws.filter(title__icontains=query)
    return laws.order_by("level", "title")


def law_get(*, pk: int) -> Law:
    return Law.objects.get(pk=pk)


def _term_filter(term: str) -> Q:
    """One search word matches a law title, an article number or the text. "58" and "58条"
    mean 第五十八条 (a plain icontains; the portal's full-text search comes later)."""
    match = ARABIC_ARTICLE.match(term)
    if match and 0 < int(match.group(1)) < 10000:
        return Q(number=f"第{to_chinese(int(match.group(1)))}条")
    return Q(law__title__icontains=term) | Q(number=term) | Q(text__icontains=term)


def article_search(*, query: str, law_id: int | None = None, limit: int = 100) -> QuerySet[Article]:
    articles = Article.objects.select_related("law")
    if law_id:
        articles = articles.filter(law_id=law_id)
    terms = query.split()
    if not terms:
        return articles.none()
    for term in terms:
        articles = articles.filter(_term_filter(term))
    return articles.order_by("law__title", "index")[:limit]


def article_get(*, pk: int) -> Article:
    return Article.objects.select_related("law").get(pk=pk)


def article_find(*, law_title: str, number: str) -> Article:
    """The article `number` (e.g. 第五十八条) of the newest version of the law titled so."""
    article = (
        Article.objects.select_related("law")
        .filter(law__title=law_title, number=number)
        .order_by("-law__version_date")
        .first()
    )
    if article is None:
        raise Article.DoesNotExist(f"《{law_title}》{number} 不在法律法规库中。")
    return article


def _versions_prefetch() -> Prefetch:
    basis = ItemBasis.objects.select_related("article", "article__law")
    return Prefetch(
        "versions",
        queryset=EnforcementItemVersion.objects.select_related(
            "unit", "area", "flow", "created_by", "approved_by"
        ).prefetch_related(Prefetch("basis", queryset=basis)),
    )


def item_list(
    *, user, query: str = "", kind: str = "", agency_id: int | None = None
) -> QuerySet[EnforcementItem]:
    items = scope(
        EnforcementItem.objects.select_related(
            "agency", "current_version", "current_version__unit", "current_version__area"
        ),
        user,
    ).annotate(draft_count=Count("versions", filter=Q(versions__status=VersionStatus.DRAFT)))
    if query:
        items = items.filter(
            Q(code__icontains=query)
            | Q(versions__name__icontains=query)
            | Q(versions__duties__icontains=query)
        ).distinct()
    if kind:
        items = items.filter(versions__kind=kind).distinct()
    if agency_id:
        items = items.filter(agency_id=agency_id)
    return items.order_by("agency__name", "code")


def item_get(*, user, pk: int) -> EnforcementItem:
    """The item with all its versions, or EnforcementItem.DoesNotExist outside the scope."""
    return (
        scope(EnforcementItem.objects.select_related("agency"), user)
        .prefetch_related(_versions_prefetch())
        .get(pk=pk)
    )


def version_latest(*, item: EnforcementItem) -> EnforcementItemVersion | None:
    return item.versions.order_by("-number").first()


def version_get(*, user, item_pk: int, number: int) -> EnforcementItemVersion:
    return (
        EnforcementItemVersion.objects.filter(item__in=scope(EnforcementItem.objects.all(), user))
        .select_related("item", "item__agency", "unit", "area", "flow", "created_by")
        .get(item_id=item_pk, number=number)
    )


def pending_approvals(*, user) -> QuerySet[EnforcementItemVersion]:
    """Draft versions of the caller's agency waiting for approval."""
    return EnforcementItemVersion.objects.filter(
        status=VersionStatus.DRAFT, item__agency_id=own_agency_id(user) or 0
    ).select_related("item")


def flow_list() -> QuerySet[FlowDefinition]:
    return FlowDefinition.objects.annotate(step_count=Count("steps")).order_by("kind", "code")


def flow_get(*, code: str) -> FlowDefinition:
    """The flow with its steps and transitions prefetched (for the page and the SVG)."""
    transitions = FlowTransition.objects.select_related("target").order_by("target__order")
    steps = FlowStep.objects.order_by("order").prefetch_related(
        Prefetch("outgoing", queryset=transitions), "incoming"
    )
    return FlowDefinition.objects.prefetch_related(Prefetch("steps", queryset=steps)).get(code=code)


def template_list(*, user) -> QuerySet[DocumentTemplate]:
    """Standard templates and the caller's own agency's templates."""
    agency_id = own_agency_id(user)
    return DocumentTemplate.objects.filter(Q(agency=None) | Q(agency_id=agency_id or 0))


def template_get(*, user, pk: int) -> DocumentTemplate:
    return template_list(user=user).get(pk=pk)


def numbering_pattern_list(*, user) -> QuerySet[NumberingPattern]:
    return scope(NumberingPattern.objects.select_related("agency"), user)


def _inspection_basis() -> Prefetch:
    return Prefetch(
        "basis", queryset=InspectionBasis.objects.select_related("article", "article__law")
    )


def inspection_list(*, user, agency_id: int | None = None) -> QuerySet[RandomInspectionItem]:
    """The 随机抽查事项清单 entries in the caller's scope (P5)."""
    rows = scope(
        RandomInspectionItem.objects.select_related("agency", "item__current_version"), user
    ).prefetch_related(_inspection_basis())
    if agency_id:
        rows = rows.filter(agency_id=agency_id)
    return rows.order_by("agency__name", "code")


def inspection_get(*, user, pk: int) -> RandomInspectionItem:
    return inspection_list(user=user).get(pk=pk)


def inspections_public(*, agency_id: int | None = None) -> QuerySet[RandomInspectionItem]:
    """The published lists: one agency's, or every agency's (the county portal, P15)."""
    rows = RandomInspectionItem.objects.select_related(
        "agency", "item__current_version"
    ).prefetch_related(_inspection_basis())
    if agency_id:
        rows = rows.filter(agency_id=agency_id)
    return rows.order_by("agency_id", "code")


def items_public(*, agency_id: int | None = None) -> QuerySet[EnforcementItem]:
    """Items with an approved (current) version: one agency's, or every agency's (P4, P15)."""
    rows = EnforcementItem.objects.filter(current_version__isnull=False).select_related(
        "agency", "current_version__flow", "current_version__unit"
    )
    if agency_id:
        rows = rows.filter(agency_id=agency_id)
    return rows.order_by("agency_id", "code")


def guides_public(*, agency_id: int | None = None) -> QuerySet[EnforcementItem]:
    """Items whose current version carries a 服务指南 (P7). A guide, once started, must name its
    受理机构 (guide.REQUIRED), so that field tells whether there is one."""
    return items_public(agency_id=agency_id).exclude(current_version__guide_accepting_body="")
