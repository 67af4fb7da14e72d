"""Catalogue pages: the legal-basis library, enforcement items with their versions, flows
(with the public SVG flow chart), document templates and numbering patterns.

Views stay thin: parse the form, call a selector or a service, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from zhifa.catalog import discretion, forms, guide, permissions, selectors, services
from zhifa.catalog.flowchart import render_flow_svg
from zhifa.catalog.models import FlowDefinition, ItemKind
from zhifa.core.access import allowed, public
from zhifa.core.forms import form_outcome, get_or_404
from zhifa.org import selectors as org_selectors

GET_POST = require_http_methods(["GET", "POST"])


# --- legal-basis library ---


@allowed(permissions.can_view_laws)
def law_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    law_id = _int_or_none(request.GET.get("law"))
    laws = selectors.law_list()
    return render(
        request,
        "catalog/law_list.html",
        {
            "laws": laws,
            "query": query,
            "law_id": law_id,
            "articles": selectors.article_search(query=query, law_id=law_id) if query else None,
        },
    )


@allowed(permissions.can_view_laws)
def law_detail(request: HttpRequest, pk: int) -> HttpResponse:
    law = get_or_404(selectors.law_get, pk=pk)
    return render(request, "catalog/law_detail.html", {"law": law, "articles": law.articles.all()})


@allowed(permissions.can_view_laws)
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_or_404(selectors.article_get, pk=pk)
    items = selectors.item_list(user=request.user).filter(current_version__articles=article)
    return render(request, "catalog/article_detail.html", {"article": article, "items": items})


# --- enforcement items ---


@allowed(permissions.can_view_items)
def item_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    agency_id = _int_or_none(request.GET.get("agency"))
    return render(
        request,
        "catalog/item_list.html",
        {
            "items": selectors.item_list(
                user=request.user, query=query, kind=kind, agency_id=agency_id
            ),
            "query": query,
            "kind": kind,
            "kinds": ItemKind.choices,
            "agencies": org_selectors.agency_list(user=request.user),
            "agency_id": agency_id,
            "can_edit": permissions.can_edit_items(request.user),
        },
    )


@allowed(permissions.can_view_items)
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_or_404(selectors.item_get, user=request.user, pk=pk)
    versions = list(item.versions.all())
    own = getattr(request.user, "staff", None) and request.user.staff.agency_id == item.agency_id
    return render(
        request,
        "catalog/item_detail.html",
        {
            "item": item,
            "versions": [
                {
                    "version": v,
                    "discretion": [(e, discretion.describe(e)) for e in v.discretion],
                    "guide": guide.rows(v) if guide.has_guide(vars(v)) else [],
                    "changes": _changes(versions[n + 1], v) if n + 1 < len(versions) else [],
                }
                for n, v in enumerate(versions)
            ],
            "latest": versions[0] if versions else None,
            "can_edit": own and permissions.can_edit_items(request.user),
            "can_approve": own and permissions.can_approve_items(request.user),
        },
    )


@allowed(permissions.can_edit_items)
@GET_POST
def item_create(request: HttpRequest) -> HttpResponse:
    form = forms.ItemCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        done = form_outcome(
            form,
            lambda: services.item_create(
                acting_user=request.user, code=form.cleaned_data["code"], content=form.content()
            ),
        )
        if done:
            item = done.value
            messages.success(request, f"已新增执法事项 {item.code}，请提交局领导批准后公布。")
            return redirect("catalog:item_detail", pk=item.pk)
    return render(request, "catalog/item_form.html", {"form": form, "title": "新增执法事项"})


@allowed(permissions.can_edit_items)
@GET_POST
def item_revise(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_or_404(selectors.item_get, user=request.user, pk=pk)
    latest = selectors.version_latest(item=item)
    initial = forms.ItemForm.initial_from(latest) if latest else {}
    form = forms.ItemReviseForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        done = form_outcome(
            form,
            lambda: services.item_revise(
                acting_user=request.user,
                item=item,
                content=form.content(),
                change_note=form.cleaned_data["change_note"],
            ),
        )
        if done:
            messages.success(request, f"已保存第{done.value.number}版草稿，批准后生效。")
            return redirect("catalog:item_detail", pk=item.pk)
    title = f"修订执法事项：{item.code}"
    return render(request, "catalog/item_form.html", {"form": form, "title": title, "item": item})


@allowed(permissions.can_approve_items)
@require_POST
def item_approve(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = get_or_404(selectors.version_get, user=request.user, item_pk=pk, number=number)
    try:
        services.item_approve(acting_user=request.user, version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"已批准第{version.number}版，现为该事项的现行版本。")
    return redirect("catalog:item_detail", pk=pk)


def _changes(old, new) -> list[dict[str, str]]:
    """Fields that differ between two versions, for a side-by-side display."""
    fields = [
        ("事项名称", lambda v: v.name),
        ("执法类别", lambda v: v.get_kind_display()),
        ("承办科室", lambda v: v.unit.name),
        ("职责", lambda v: v.duties),
        ("权限", lambda v: v.powers),
        ("依据", forms.citation_lines),
        ("裁量基准", lambda v: discretion.to_lines(v.discretion)),
        ("执法领域", lambda v: v.area.name if v.area else "—"),
        ("办理流程", lambda v: v.flow.name if v.flow else "—"),
        *[(f"服务指南·{label}", lambda v, n=name: getattr(v, n)) for name, label in guide.STORED],
    ]
    return [
        {"label": label, "old": get(old), "new": get(new)}
        for label, get in fields
        if get(old) != get(new)
    ]


# --- 随机抽查事项清单 (P5) ---


@allowed(permissions.can_view_inspections)
def inspection_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalog/inspection_list.html",
        {
            "entries": selectors.inspection_list(user=request.user),
            "can_edit": permissions.can_edit_inspections(request.user),
        },
    )


@allowed(permissions.can_edit_inspections)
@GET_POST
def inspection_create(request: HttpRequest) -> HttpResponse:
    form = forms.InspectionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        done = form_outcome(
            form,
            lambda: services.inspection_create(
                acting_user=request.user,
                code=form.cleaned_data["code"],
                content=form.content_value(),
            ),
        )
        if done:
            messages.success(request, f"已新增随机抽查事项 {done.value.code}，已在公示平台公布。")
            return redirect("catalog:inspection_list")
    return render(
        request, "catalog/inspection_form.html", {"form": form, "title": "新增随机抽查事项"}
    )


@allowed(permissions.can_edit_inspections)
@GET_POST
def inspection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_or_404(selectors.inspection_get, user=request.user, pk=pk)
    form = forms.InspectionForm(
        request.POST or None,
        initial=forms.InspectionForm.initial_from(entry),
        user=request.user,
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        done = form_outcome(
            form,
            lambda: services.inspection_update(
                acting_user=request.user, entry=entry, content=form.content_value()
            ),
        )
        if done:
            messages.success(request, f"已保存随机抽查事项 {entry.code}。")
            return redirect("catalog:inspection_list")
    return render(
        request,
        "catalog/inspection_form.html",
        {"form": form, "title": f"修改随机抽查事项：{entry.code}", "entry": entry},
    )


@allowed(permissions.can_edit_inspections)
@require_POST
def inspection_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_or_404(selectors.inspection_get, user=request.user, pk=pk)
    try:
        services.inspection_delete(
            acting_user=request.user, entry=entry, reason=request.POST.get("reason", "")[:300]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("catalog:inspection_edit", pk=pk)
    messages.success(request, f"已删除随机抽查事项 {entry.code}，删除记录已记入全过程记录账本。")
    return redirect("catalog:inspection_list")


# --- flows ---


@allowed(permissions.can_view_flows)
def flow_list(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/flow_list.html", {"flows": selectors.flow_list()})


@allowed(permissions.can_view_flows)
def flow_detail(request: HttpRequest, code: str) -> HttpResponse:
    flow = get_or_404(selectors.flow_get, code=code)
    return render(request, "catalog/flow_detail.html", {"flow": flow, "steps": flow.steps.all()})


@public
def flow_svg(request: HttpRequest, code: str) -> HttpResponse:
    """The flow chart, public: the portal publishes it before enforcement (P6; 118号)."""
    try:
        flow = selectors.flow_get(code=code)
    except FlowDefinition.DoesNotExist as exc:
        raise Http404("没有这个执法流程。") from exc
    response = HttpResponse(render_flow_svg(flow), content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


# --- document templates and numbering ---


@allowed(permissions.can_view_templates)
def template_list(request: HttpRequest) -> HttpResponse:
    return _template_page(request, forms.NumberingForm())


@allowed(permissions.can_manage_numbering)
@require_POST
def numbering_set(request: HttpRequest) -> HttpResponse:
    form = forms.NumberingForm(request.POST)
    if form.is_valid():
        done = form_outcome(
            form,
            lambda: services.numbering_pattern_set(acting_user=request.user, **form.cleaned_data),
        )
        if done:
            messages.success(request, "文书编号格式已保存。")
            return redirect("catalog:template_list")
    return _template_page(request, form)


def _template_page(request: HttpRequest, form: forms.NumberingForm) -> HttpResponse:
    return render(
        request,
        "catalog/template_list.html",
        {
            "templates": selectors.template_list(user=request.user),
            "patterns": selectors.numbering_pattern_list(user=request.user),
            "form": form,
            "can_manage": permissions.can_manage_numbering(request.user),
        },
    )


@allowed(permissions.can_view_templates)
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_or_404(selectors.template_get, user=request.user, pk=pk)
    return render(
        request,
        "catalog/template_detail.html",
        {"template": template, "placeholders": template.placeholders()},
    )


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
