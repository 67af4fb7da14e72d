"""Review pages (法制审核). Thin: parse the form, call the service, redirect with a message; a
service's ValidationError goes back onto the form, its PermissionDenied becomes a 403. Reviews
and cases of another agency are not found (404)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhifa import ledger
from zhifa.cases import selectors as case_selectors
from zhifa.core.access import allowed
from zhifa.core.forms import form_outcome, get_or_404
from zhifa.review import forms, permissions, selectors, services
from zhifa.review.models import ITEM_NAMES, LegalAdviceRequest, ReviewRule, ReviewStatus
from zhifa.review.rules import settings_for

GET_POST = require_http_methods(["GET", "POST"])
logger = logging.getLogger(__name__)


def _review(request: HttpRequest, pk: int):
    return get_or_404(selectors.review_get, user=request.user, pk=pk)


def _case(request: HttpRequest, pk: int):
    return get_or_404(case_selectors.case_get, user=request.user, pk=pk)


def _form_page(
    request: HttpRequest,
    form,
    *,
    title: str,
    back: str,
    call: Callable[[], object],
    done: str,
    context: dict | None = None,
) -> HttpResponse:
    """GET shows the form; POST validates it and calls the service."""
    if request.method == "POST" and form.is_valid() and form_outcome(form, call):
        messages.success(request, done)
        return redirect(back)
    status = 400 if request.method == "POST" else 200
    page = {"form": form, "title": title, "back": back, **(context or {})}
    return render(request, "review/form.html", page, status=status)


# --- lists -----------------------------------------------------------------------------------


@allowed(permissions.can_view_reviews)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    awaiting = [(r, selectors.urgency(r, today)) for r in selectors.awaiting(user=request.user)]
    return render(
        request,
        "review/index.html",
        {
            "awaiting": awaiting,
            "watch": [
                (r, selectors.urgency(r, today))
                for r in selectors.overdue_watch(user=request.user, today=today)
            ],
            "reviews": selectors.review_list(user=request.user)[:100],
            "can_view_rules": permissions.can_view_rules(request.user),
        },
    )


# --- one review ------------------------------------------------------------------------------


@allowed(permissions.can_view_reviews)
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    staff = getattr(request.user, "staff", None)
    me = staff.pk if staff else None
    roles = {g.name for g in request.user.groups.all()}
    status = review.status
    handling = review.case.handlers.filter(pk=me).exists() or bool(roles & {"科室负责人", "局领导"})
    can = {
        "assign": status in (ReviewStatus.SUBMITTED, ReviewStatus.ASSIGNED)
        and bool(roles & {"法制审核人员", "局领导"}),
        "findings": status in (ReviewStatus.ASSIGNED, ReviewStatus.CHECKED)
        and review.reviewer_id == me,
        "confirm": status == ReviewStatus.CHECKED and review.re_reviewer_id == me,
        "answer": status == ReviewStatus.ISSUED and handling,
        "coordinate": status == ReviewStatus.DISAGREED and "局领导" in roles,
        "extend": status in (ReviewStatus.SUBMITTED, ReviewStatus.ASSIGNED, ReviewStatus.CHECKED)
        and not review.extension_reason
        and "局领导" in roles,
        "advice": review.open and me in (review.reviewer_id, review.re_reviewer_id),
    }
    return render(
        request,
        "review/detail.html",
        {
            "review": review,
            "case": review.case,
            "findings": list(review.findings.all()),
            "articles": list(review.articles.select_related("law")),
            "advice": list(review.advice.all()),
            "discussions": selectors.case_discussions(case=review.case),
            "can": can,
            "state": selectors.urgency(review, timezone.localdate()) if review.open else "",
            "item_names": ITEM_NAMES,
        },
    )


@allowed(permissions.can_view_reviews)
@require_GET
def document(request: HttpRequest, pk: int, ext: str) -> FileResponse:
    from zhifa.core.documents import DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE
    from zhifa.ledger import blobs

    review = _review(request, pk)
    sha = {"pdf": review.pdf_sha256, "docx": review.docx_sha256}.get(ext)
    if not sha:
        raise Http404("该审核意见书尚未出具。")
    response = FileResponse(
        blobs.open_blob(sha), content_type=PDF_CONTENT_TYPE if ext == "pdf" else DOCX_CONTENT_TYPE
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"法制审核意见书_{review.number}.{ext}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@allowed(permissions.can_act)
@GET_POST
def submit(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk)
    initial = {"proposal": case.decision_content, "report": case.facts}
    form = forms.SubmitForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        form,
        title="报送法制审核",
        back=reverse("cases:case_detail", args=[case.pk]),
        call=lambda: services.review_submit(
            acting_user=request.user,
            case=case,
            proposal=form.cleaned_data["proposal"],
            report=form.cleaned_data["report"],
        ),
        done="已报送法制审核。",
        context={"case": case},
    )


@allowed(permissions.can_act)
@GET_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = forms.AssignForm(request.POST or None, agency_id=review.agency_id)
    return _form_page(
        request,
        form,
        title="分配审核人、复审人",
        back=reverse("review:detail", args=[review.pk]),
        call=lambda: services.review_assign(
            acting_user=request.user,
            review=review,
            reviewer=form.cleaned_data["reviewer"],
            re_reviewer=form.cleaned_data["re_reviewer"],
        ),
        done="已分配审核人员。",
        context={"review": review},
    )


@allowed(permissions.can_act)
@GET_POST
def findings(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = forms.FindingsForm(request.POST or None, case=review.case)
    return _form_page(
        request,
        form,
        title="审核意见（逐项审查）",
        back=reverse("review:detail", args=[review.pk]),
        call=lambda: services.review_record_findings(
            acting_user=request.user,
            review=review,
            findings=form.findings(),
            opinion=form.cleaned_data["opinion"],
            opinion_text=form.cleaned_data["opinion_text"],
            articles=list(form.cleaned_data["articles"]),
        ),
        done="已填写审核意见，待复审。",
        context={"review": review},
    )


def _post_action(request: HttpRequest, review, call: Callable[[], object], done: str):
    try:
        call()
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("review:detail", review.pk)


@allowed(permissions.can_act)
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    return _post_action(
        request,
        review,
        lambda: services.review_confirm(acting_user=request.user, review=review),
        "已复审并出具法制审核意见书。",
    )


@allowed(permissions.can_act)
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    return _post_action(
        request,
        review,
        lambda: services.review_accept(acting_user=request.user, review=review),
        "已采纳法制审核意见。",
    )


@allowed(permissions.can_act)
@GET_POST
def disagree(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = forms.DisagreeForm(request.POST or None)
    return _form_page(
        request,
        form,
        title="不采纳审核意见",
        back=reverse("review:detail", args=[review.pk]),
        call=lambda: services.review_disagree(
            acting_user=request.user, review=review, reasons=form.cleaned_data["reasons"]
        ),
        done="已登记不采纳理由，待负责人协调。",
        context={"review": review},
    )


@allowed(permissions.can_act)
@GET_POST
def coordinate(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = forms.CoordinateForm(request.POST or None)
    return _form_page(
        request,
        form,
        title="协调审核意见分歧",
        back=reverse("review:detail", args=[review.pk]),
        call=lambda: services.review_coordinate(
            acting_user=request.user,
            review=review,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        ),
        done="已登记协调结果。",
        context={"review": review},
    )


@allowed(permissions.can_act)
@GET_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = forms.ReasonForm(request.POST or None)
    return _form_page(
        request,
        form,
        title="延长审核期限",
        back=reverse("review:detail", args=[review.pk]),
        call=lambda: services.review_extend(
            acting_user=request.user, review=review, reason=form.cleaned_data["reason"]
        ),
        done="已延长审核期限。",
        context={"review": review},
    )


@allowed(permissions.can_act)
@GET_POST
def advice(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = forms.AdviceForm(request.POST or None)
    return _form_page(
        request,
        form,
        title="征询法律顾问意见",
        back=reverse("review:detail", args=[review.pk]),
        call=lambda: services.advice_request(
            acting_user=request.user,
            review=review,
            adviser=form.cleaned_data["adviser"],
            question=form.cleaned_data["question"],
        ),
        done="已登记征询事项。",
        context={"review": review},
    )


@allowed(permissions.can_act)
@GET_POST
def advice_answer(request: HttpRequest, pk: int, advice_pk: int) -> HttpResponse:
    review = _review(request, pk)
    try:
        item = LegalAdviceRequest.objects.get(pk=advice_pk, review=review)
    except LegalAdviceRequest.DoesNotExist as exc:
        raise Http404("未找到该咨询。") from exc
    form = forms.AnswerForm(request.POST or None)
    return _form_page(
        request,
        form,
        title=f"登记{item.adviser}的意见",
        back=reverse("review:detail", args=[review.pk]),
        call=lambda: services.advice_answer(
            acting_user=request.user, advice=item, answer=form.cleaned_data["answer"]
        ),
        done="已登记法律顾问意见。",
        context={"review": review},
    )


@allowed(permissions.can_act)
@GET_POST
def discussion(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk)
    last = case.reviews.order_by("-round").first()
    proposal = (last.proposal if last else "") or case.decision_content
    initial = {"matters": f"本案拟作出的处理决定：{proposal}" if proposal else ""}
    form = forms.DiscussionForm(
        request.POST or None, request.FILES or None, agency_id=case.agency_id, initial=initial
    )

    def call():
        d = form.cleaned_data
        upload = d.get("minutes")
        return services.discussion_record(
            acting_user=request.user,
            case=case,
            held_on=d["held_on"],
            chair=d["chair"],
            attendees=form.attendees(),
            matters=d.get("matters", ""),
            conclusion=d["conclusion"],
            minutes=upload or None,
            minutes_filename=upload.name if upload else "",
            minutes_content_type=(upload.content_type or "") if upload else "",
            minutes_sha256=d.get("minutes_sha256") or "",
        )

    quorum = settings_for(case.agency_id).quorum
    return _form_page(
        request,
        form,
        title="登记集体讨论",
        back=reverse("cases:case_detail", args=[case.pk]),
        call=call,
        done="已登记集体讨论记录。",
        context={"case": case, "hint": f"本机关规定至少{quorum}名负责人参加（含主持人）。"},
    )


def _discussion(request: HttpRequest, case_pk: int, pk: int):
    """A discussion of a case the caller may see (another agency's: 404)."""
    case = _case(request, case_pk)
    found = selectors.discussion_get(case=case, pk=pk)
    if found is None:
        raise Http404("未找到该集体讨论记录，或您无权查看。")
    return found


@allowed(permissions.can_view_reviews)
@require_GET
def discussion_minutes(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    """The minutes file as uploaded, after checking its bytes still match the recorded
    SHA-256; a mismatch is logged and recorded, and answered with an error page."""
    import mimetypes

    from zhifa.ledger import blobs, fixity

    found = _discussion(request, case_pk, pk)
    case, sha256 = found.case, found.minutes_sha256
    if not sha256:
        raise Http404("本次集体讨论没有上传会议记录文件。")
    try:
        actual = fixity.rehash(sha256)  # the bytes as they are now, streamed
    except blobs.BlobError:
        actual = None
    if actual is None:
        raise Http404("证据库中找不到该会议记录文件，请联系系统管理员检查文件完整性。")
    if actual != sha256:
        logger.error(
            "discussion minutes %s of case %s (discussion %s): stored bytes do not match "
            "the recorded SHA-256; download refused",
            sha256,
            case.pk,
            found.pk,
        )
        services.discussion_minutes_damaged(acting_user=request.user, discussion=found)
        return render(
            request,
            "review/minutes_damaged.html",
            {"case": case, "discussion": found},
            status=500,
        )
    filename = found.minutes_filename or f"集体讨论会议记录_{case.number or case.pk}"
    content_type = (
        found.minutes_content_type
        or mimetypes.guess_type(filename)[0]
        or "application/octet-stream"
    )
    with transaction.atomic():
        ledger.record_view(
            request.user,
            f"ledger.blob:{sha256}",
            what=f"cases.case:{case.pk}",
            agency=case.agency,
        )
    response = FileResponse(blobs.open_blob(sha256), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-cache"
    return response


@allowed(permissions.can_view_reviews)
@require_GET
def discussion_record(request: HttpRequest, case_pk: int, pk: int, ext: str) -> HttpResponse:
    """The 集体讨论记录 generated from the structured discussion, as PDF or DOCX."""
    from zhifa.core import documents as core_documents

    if ext not in ("pdf", "docx"):
        raise Http404("只提供PDF或DOCX格式的集体讨论记录。")
    found = _discussion(request, case_pk, pk)
    case = found.case
    filename = f"集体讨论记录_{case.number or case.pk}_{found.held_on.isoformat()}.{ext}"
    response = core_documents.document_response(
        services.discussion_document(found), ext, filename=filename
    )
    with transaction.atomic():
        ledger.record_view(request.user, case, what=f"下载文书：{filename}")
    return response


# --- statistics and the quarterly report (L2, L3) ------------------------------------------


@allowed(permissions.can_view_rules)
@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    from zhifa.review import stats as review_stats

    quarter = request.GET.get("q") or review_stats.quarter_of(timezone.localdate())
    try:
        start, end = review_stats.quarter_bounds(quarter)
    except ValueError as exc:
        raise Http404(str(exc)) from exc
    agency = request.user.staff.agency
    if request.GET.get("format") == "xlsx":
        data = review_stats.quarterly_report(agency=agency, quarter=quarter)
        response = HttpResponse(
            data,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = content_disposition_header(
            True, f"{agency.name}{quarter}法制审核及培训情况.xlsx"
        )
        return response
    return render(
        request,
        "review/stats.html",
        {
            "quarter": quarter,
            "stats": review_stats.review_stats(agency_id=agency.pk, start=start, end=end),
            "reviewers": review_stats.reviewer_register(agency=agency),
        },
    )


# --- the 审核目录清单 and settings -------------------------------------------------------------


@allowed(permissions.can_view_rules)
@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    staff = request.user.staff
    return render(
        request,
        "review/rules.html",
        {
            "rules": selectors.rule_list(user=request.user),
            "settings": settings_for(staff.agency_id),
            "can_keep": permissions.can_keep_rules(request.user),
        },
    )


@allowed(permissions.can_keep_rules)
@GET_POST
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    staff = request.user.staff
    rule = None
    if pk is not None:
        try:
            rule = ReviewRule.objects.get(pk=pk, agency_id=staff.agency_id)
        except ReviewRule.DoesNotExist as exc:
            raise Http404("未找到该规则，或您无权查看。") from exc
    form = forms.RuleForm(request.POST or None, instance=rule, agency_id=staff.agency_id)
    return _form_page(
        request,
        form,
        title="编辑审核目录规则" if rule else "新增审核目录规则",
        back=reverse("review:rules"),
        call=lambda: services.rule_save(acting_user=request.user, rule=rule, values=form.values()),
        done="已保存审核目录规则。",
        context={"hint": "所设条件须同时满足；未设置的条件不限。"},
    )


@allowed(permissions.can_keep_rules)
@GET_POST
def settings_edit(request: HttpRequest) -> HttpResponse:
    staff = request.user.staff
    form = forms.SettingsForm(request.POST or None, instance=settings_for(staff.agency_id))
    return _form_page(
        request,
        form,
        title="法制审核设置",
        back=reverse("review:rules"),
        call=lambda: services.settings_save(acting_user=request.user, values=form.cleaned_data),
        done="已保存法制审核设置。",
    )
