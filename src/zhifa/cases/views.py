"""Case pages (案件办理). Views stay thin: parse the form, call the service, redirect with a
message; a service's ValidationError goes back onto the form with the user's input, its
PermissionDenied becomes a 403.

Every action on a case is one view made by `_action_view` from an `Action`: its rule (from
`cases.permissions`), its form and the service call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from zhifa import ledger
from zhifa.cases import clocks, evidence_views, forms, permissions, selectors, services
from zhifa.cases.models import AvException, CaseKind, CaseStatus, Procedure
from zhifa.core.access import allowed
from zhifa.core.forms import add_service_errors, form_outcome, get_or_404
from zhifa.ledger.selectors import latest_checkpoint

GET_POST = require_http_methods(["GET", "POST"])
PAGE_SIZE = 20


# --- list ----------------------------------------------------------------------------------


@allowed(permissions.can_view_cases)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    query = request.GET.get("q", "").strip()
    status = status if status in CaseStatus.values else ""
    kind = kind if kind in CaseKind.values else ""
    cases = selectors.case_list(user=request.user, status=status, kind=kind, query=query)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    today = timezone.localdate()
    alerts = selectors.list_alerts([c for c in rows if c.status == CaseStatus.OPEN], today=today)
    names = selectors.step_names({c.flow_id for c in rows})
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "rows": [
                (case, names.get((case.flow_id, case.step), case.step), alerts.get(case.pk))
                for case in rows
            ],
            "page": page,
            "query": query,
            "status": status,
            "kind": kind,
            "statuses": CaseStatus.choices,
            "kinds": CaseKind.choices,
            "params": params.urlencode(),
            "can_register": permissions.can_register_clue(request.user),
            "can_simple": permissions.can_simple_penalty(request.user),
            "can_apply": permissions.can_apply_licence(request.user),
        },
    )


# --- new cases -----------------------------------------------------------------------------


def _party(request: HttpRequest, form: forms.NewCaseForm):
    party = form.cleaned_data.get("party")
    if party is None:
        party = services.party_create(acting_user=request.user, **form.party_data())
    return party


def _new_case_view(request, form_class, title: str, create: Callable, message: str):
    form = form_class(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            # The new party and the case are created together or not at all.
            with transaction.atomic():
                case = create(form.cleaned_data, _party(request, form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, message.format(case=case))
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/new_case.html", {"form": form, "title": title})


@allowed(permissions.can_register_clue)
@GET_POST
def clue_create(request: HttpRequest) -> HttpResponse:
    def create(data, party):
        return services.case_register(
            acting_user=request.user,
            item_version=data["item_version"],
            party=party,
            title=data["title"],
            source=data["source"],
            facts=data["facts"],
            registered_on=data["registered_on"],
            violation_on=data["violation_on"],
            violation_continuing=data["violation_continuing"],
            violation_ended_on=data["violation_ended_on"],
            harms_safety=data["harms_safety"],
        )

    return _new_case_view(
        request, forms.ClueForm, "登记案件线索", create, "已登记案件线索：{case.title}。"
    )


@allowed(permissions.can_apply_licence)
@GET_POST
def licence_apply(request: HttpRequest) -> HttpResponse:
    def create(data, party):
        return services.licence_apply(
            acting_user=request.user,
            item_version=data["item_version"],
            party=party,
            title=data["title"],
            materials=data["materials"],
            received_on=data["received_on"],
        )

    return _new_case_view(
        request,
        forms.LicenceApplyForm,
        "受理许可申请（登记收件）",
        create,
        "已登记许可申请：{case.title}。请在5个工作日内受理或一次性告知补正。",
    )


@allowed(permissions.can_simple_penalty)
@GET_POST
def simple_penalty(request: HttpRequest) -> HttpResponse:
    def create(data, party):
        return services.case_simple_penalty(
            acting_user=request.user,
            item_version=data["item_version"],
            party=party,
            title=data["title"],
            facts=data["facts"],
            penalty_types=data["penalty_types"],
            fine_amount=forms.to_fen(data["fine"]),
            handlers=list(data["handlers"]),
            av_evidence=[(data["av_sha256"], data["av_kind"])],
            decided_on=data["decided_on"],
        )

    return _new_case_view(
        request,
        forms.SimplePenaltyForm,
        "当场处罚（简易程序）",
        create,
        "已作出当场处罚决定，决定书文号{case.decision_number}。",
    )


# --- the case page -------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    key: str
    title: str
    rule: Callable
    form: type[forms.CaseForm]
    run: Callable  # (request, case, cleaned_data) -> object
    message: str  # formatted with the refreshed case
    hint: str = ""


def _advance(request, case, d):
    return services.case_advance(
        acting_user=request.user, case=case, to_step=d["to_step"], reason=d["reason"], on=d["on"]
    )


def _notify(request, case, d):
    right = {"auto": None, "yes": True, "no": False}[d["hearing_right"]]
    return services.case_notify(
        acting_user=request.user, case=case, notified_on=d["notified_on"], hearing_right=right
    )


def _respond(request, case, d):
    return services.case_record_response(
        acting_user=request.user,
        case=case,
        received_on=d["received_on"],
        statement=d["statement"],
        requests_hearing=d["response"] == "hearing",
        waives_rights=d["response"] == "waive",
    )


def _propose(request, case, d):
    return services.case_propose_decision(
        acting_user=request.user,
        case=case,
        penalty_types=d["penalty_types"],
        fine_amount=forms.to_fen(d["fine"]),
        confiscation_amount=forms.to_fen(d["confiscation"]),
        content=d["content"],
        facts=d["facts"],
        major_social_impact=d["major_social_impact"],
        complex_case=d["complex_case"],
        major_public_interest=d["major_public_interest"],
        suspected_crime=d["suspected_crime"],
        # 裁量基准 fields exist only when the item publishes one (forms.ProposeForm).
        discretion_entry=d.get("discretion_entry"),
        discretion_base=(
            forms.to_fen(d["discretion_base"]) if d.get("discretion_base") is not None else None
        ),
        departure=d.get("departure", ""),
        departure_reason=d.get("departure_reason", ""),
    )


def _hearing(request, case, d):
    return services.case_record_hearing(
        acting_user=request.user,
        case=case,
        notice_served_on=d["notice_served_on"],
        held_at=d["held_at"],
        place=d["place"],
        presider=d["presider"],
        recorder=d["recorder"],
        participants=d["participants"],
        public=d["public"],
        closed_ground=d["closed_ground"],
        closed_reason=d["closed_reason"],
        statements=d["statements"],
        signature=d["signature"],
        next_step=d["next_step"],
    )


def _violation(request, case, d):
    return services.case_record_violation(
        acting_user=request.user,
        case=case,
        occurred_on=d["violation_on"],
        continuing=d["violation_continuing"],
        ended_on=d["violation_ended_on"],
        harms_safety=d["harms_safety"],
    )


def _recusal_decide(request, case, d):
    return services.case_recusal_decide(
        acting_user=request.user,
        case=case,
        recusal=d["recusal"],
        grant=d["grant"],
        replacements=list(d["replacements"]),
        opinion=d["opinion"],
        on=d["on"],
    )


ACTIONS: dict[str, Action] = {
    a.key: a
    for a in [
        Action(
            "file",
            "立案审批（予以立案）",
            permissions.can_file,
            forms.FileForm,
            lambda r, c, d: services.case_file(
                acting_user=r.user,
                case=c,
                handlers=list(d["handlers"]),
                on=d["on"],
                opinion=d["opinion"],
            ),
            "已立案，案件编号：{case.number}。",
            "不予立案请在“环节流转”中选择“不予立案”并写明理由。",
        ),
        Action(
            "advance",
            "环节流转",
            permissions.can_advance,
            forms.AdvanceForm,
            _advance,
            "已转到下一环节：{step}。",
        ),
        Action(
            "handlers",
            "指定承办人",
            permissions.can_set_handlers,
            forms.HandlersForm,
            lambda r, c, d: services.case_set_handlers(
                acting_user=r.user, case=c, handlers=list(d["handlers"])
            ),
            "已指定承办人。",
        ),
        Action(
            "propose",
            "拟作出的处罚决定",
            permissions.can_propose_decision,
            forms.ProposeForm,
            _propose,
            "已保存拟作出的处罚决定。",
        ),
        Action(
            "notify",
            "登记事先告知",
            permissions.can_notify,
            forms.NotifyForm,
            _notify,
            "已登记事先告知，当事人陈述申辩、申请听证的期限开始计算。",
        ),
        Action(
            "respond",
            "登记当事人陈述申辩、听证申请或放弃",
            permissions.can_record_response,
            forms.ResponseForm,
            _respond,
            "已登记当事人的意见。",
        ),
        Action(
            "decide",
            "作出决定",
            permissions.can_decide,
            forms.DecideForm,
            lambda r, c, d: services.case_decide(
                acting_user=r.user,
                case=c,
                outcome=d["outcome"],
                decided_on=d["decided_on"],
                reason=d["reason"],
            ),
            "已作出决定。{case.decision_number}",
        ),
        Action(
            "consent",
            "登记电子送达确认",
            permissions.can_record_consent,
            forms.ConsentForm,
            lambda r, c, d: services.case_record_consent(
                acting_user=r.user, case=c, address=d["address"], confirmed_on=d["confirmed_on"]
            ),
            "已登记当事人同意电子送达及确认的地址。",
        ),
        Action(
            "serve",
            "登记送达",
            permissions.can_serve,
            forms.ServeForm,
            lambda r, c, d: services.case_serve(
                acting_user=r.user,
                case=c,
                method=d["method"],
                served_on=d["served_on"],
                note=d["note"],
            ),
            "已登记送达。",
        ),
        Action(
            "payment",
            "登记缴纳罚款",
            permissions.can_record_payment,
            forms.PaymentForm,
            lambda r, c, d: services.case_record_payment(
                acting_user=r.user,
                case=c,
                amount=forms.to_fen(d["amount"]),
                paid_on=d["paid_on"],
                method=d["method"],
                cash_ground=d["cash_ground"],
                cash_reason=d["cash_reason"],
                receipt_number=d["receipt_number"],
            ),
            "已登记缴款。",
            "当场收缴的，请在2个工作日内将罚款交至行政机关（处罚法第七十一条）。",
        ),
        Action(
            "cash_hand_over",
            "当场收缴的罚款交至行政机关",
            permissions.can_cash_hand_over,
            forms.CashHandOverForm,
            lambda r, c, d: services.case_cash_hand_over(
                acting_user=r.user, case=c, received_by=d["received_by"], on=d["on"]
            ),
            "已登记罚款交至行政机关，请办公室在2个工作日内缴付指定银行。",
        ),
        Action(
            "cash_bank",
            "当场收缴的罚款缴付银行",
            permissions.can_cash_bank,
            forms.CashBankForm,
            lambda r, c, d: services.case_cash_bank(
                acting_user=r.user, case=c, voucher_number=d["voucher_number"], on=d["on"]
            ),
            "已登记罚款缴付银行。",
        ),
        Action(
            "close",
            "结案",
            permissions.can_close,
            forms.CloseForm,
            lambda r, c, d: services.case_close(
                acting_user=r.user, case=c, on=d["on"], summary=d["summary"]
            ),
            "已结案，请整理案卷归档。",
        ),
        Action(
            "archive",
            "归档",
            permissions.can_archive,
            forms.ArchiveForm,
            lambda r, c, d: services.case_archive(acting_user=r.user, case=c, on=d["on"]),
            "案件已归档。",
        ),
        Action(
            "evidence",
            "按哈希关联已入库的证据",
            permissions.can_attach_evidence,
            forms.EvidenceForm,
            lambda r, c, d: services.case_evidence_attach(
                acting_user=r.user,
                case=c,
                step=d["step"],
                sha256=d["sha256"],
                media_kind=d["media_kind"],
                description=d["description"],
            ),
            "已登记证据。",
            "用于已经存入证据库（例如经批量导入）的文件：填写其SHA-256即可关联到本案。"
            "新文件请在“证据与音像记录”中直接上传。",
        ),
        Action(
            "av_exception",
            "批准未音像记录的理由",
            permissions.can_approve_av_exception,
            forms.AvExceptionForm,
            lambda r, c, d: services.av_exception_approve(
                acting_user=r.user, case=c, step=d["step"], reason=d["reason"]
            ),
            "已批准未音像记录的理由。",
            "仅在确实无法音像记录时使用（全过程记录，118号）。",
        ),
        Action(
            "correction",
            "一次性告知补正",
            permissions.can_request_correction,
            forms.CorrectionForm,
            lambda r, c, d: services.licence_request_correction(
                acting_user=r.user, case=c, items=d["items"], notified_on=d["notified_on"]
            ),
            "已登记一次性告知补正。",
        ),
        Action(
            "accept",
            "受理",
            permissions.can_accept_licence,
            forms.AcceptForm,
            lambda r, c, d: services.licence_accept(
                acting_user=r.user, case=c, accepted_on=d["accepted_on"]
            ),
            "已受理，受理通知书编号：{case.number}。",
        ),
        Action(
            "not_accept",
            "不予受理",
            permissions.can_not_accept_licence,
            forms.NotAcceptForm,
            lambda r, c, d: services.licence_not_accept(
                acting_user=r.user, case=c, reason=d["reason"], on=d["on"]
            ),
            "已作出不予受理决定：{case.decision_number}。",
        ),
        Action(
            "extend",
            "延长许可决定期限",
            permissions.can_extend_licence,
            forms.ExtendForm,
            lambda r, c, d: services.licence_extend(
                acting_user=r.user, case=c, reason=d["reason"], on=d["on"]
            ),
            "已延长决定期限10个工作日，请告知申请人。",
        ),
        Action(
            "licence_decide",
            "许可决定",
            permissions.can_decide_licence,
            forms.LicenceDecideForm,
            lambda r, c, d: services.licence_decide(
                acting_user=r.user,
                case=c,
                granted=d["granted"],
                decided_on=d["decided_on"],
                reason=d["reason"],
                content=d["content"],
            ),
            "已作出许可决定：{case.decision_number}。",
        ),
        Action(
            "hearing",
            services.HEARING_ACTION,
            permissions.can_record_hearing,
            forms.HearingForm,
            _hearing,
            "已登记听证笔录，听证环节办结，已转到：{step}。",
            "听证须全程录音录像：请先在“证据与音像记录”中上传本环节的录像。",
        ),
        Action(
            "extension_request",
            "申请延长处罚决定期限",
            permissions.can_request_extension,
            forms.ExtensionRequestForm,
            lambda r, c, d: services.case_extension_request(
                acting_user=r.user, case=c, reason=d["reason"], on=d["on"]
            ),
            "已提交延长作出处罚决定期限的申请，待局领导审批。",
        ),
        Action(
            "extension_decide",
            "审批延长处罚决定期限",
            permissions.can_decide_extension,
            forms.ExtensionDecideForm,
            lambda r, c, d: services.case_extension_decide(
                acting_user=r.user,
                case=c,
                approve=d["approve"],
                opinion=d["opinion"],
                on=d["on"],
            ),
            "已审批延长作出处罚决定期限的申请。",
        ),
        Action(
            "violation",
            "登记违法行为发生时间",
            permissions.can_record_violation,
            forms.ViolationForm,
            _violation,
            "已登记违法行为发生时间，追责时效已重新计算。",
            "立案前可以填写或更正；立案审批时据此判断是否超过追责时效（处罚法第三十六条）。",
        ),
        Action(
            "recusal_apply",
            "申请回避",
            permissions.can_apply_recusal,
            forms.RecusalApplyForm,
            lambda r, c, d: services.case_recusal_apply(
                acting_user=r.user,
                case=c,
                handler=d["handler"],
                kind=d["kind"],
                reason=d["reason"],
                on=d["on"],
            ),
            "已登记回避申请，待局领导决定；决定作出之前，不停止调查。",
        ),
        Action(
            "recusal_decide",
            "作出回避决定",
            permissions.can_decide_recusal,
            forms.RecusalDecideForm,
            _recusal_decide,
            "已作出回避决定。",
        ),
    ]
}


# Shown after the step's own actions and the generic move on the case page.
LATER_ACTIONS = (
    "extension_request",
    "extension_decide",
    "recusal_apply",
    "recusal_decide",
    "handlers",
    "evidence",
    "av_exception",
)


def _form(action: Action, case, user, data=None, **extra):
    return action.form(data, case=case, user=user, auto_id=f"id_{action.key}_%s", **extra)


def _action_view(action: Action) -> Callable:
    @allowed(action.rule)
    @GET_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        case = get_or_404(selectors.case_get, user=request.user, pk=pk)
        form = _form(action, case, request.user, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            done = form_outcome(form, lambda: action.run(request, case, form.cleaned_data))
            if done:
                case.refresh_from_db()
                step = selectors.step_names({case.flow_id}).get((case.flow_id, case.step), "")
                messages.success(request, action.message.format(case=case, step=step))
                return redirect("cases:case_detail", pk=case.pk)
        return render(request, "cases/action.html", {"case": case, "form": form, "action": action})

    view.__name__ = f"case_{action.key}"
    view.__qualname__ = view.__name__
    return view


action_views = {key: _action_view(action) for key, action in ACTIONS.items()}


@allowed(permissions.can_view_cases)
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_or_404(selectors.case_get, user=request.user, pk=pk)
    with transaction.atomic():
        ledger.record_view(request.user, case)  # C10: every view of a case file is recorded
    today = timezone.localdate()
    available = selectors.available_actions(user=request.user, case=case)
    action_forms = []
    for key in available.actions:
        action = ACTIONS[key]
        if action.rule(request.user):
            action_forms.append((action, _form(action, case, request.user)))
    if available.advance_to and permissions.can_advance(request.user):
        advance = ACTIONS["advance"]
        form = _form(advance, case, request.user, transitions=available.advance_to)
        action_forms.append((advance, form))
    # The step's own actions first, then the generic move, then evidence records.
    action_forms.sort(key=lambda pair: pair[0].key in LATER_ACTIONS)
    timeline, views = selectors.case_timeline(user=request.user, case=case)
    evidence = list(case.evidence.select_related("added_by__staff", "device").order_by("pk"))
    exceptions = list(
        AvException.objects.filter(case=case).select_related("approved_by__staff").order_by("pk")
    )
    progress = selectors.flow_progress(case)
    step_name = {p.step.code: p.step.name for p in progress}
    due = None
    owes = case.kind == CaseKind.PENALTY and case.fine_amount and case.paid_on is None
    if owes and case.step in ("execute", "onspot_pay"):
        fine, surcharge = services.amount_due(case, on=today)
        due = {
            "fine": fine / 100,
            "surcharge": surcharge / 100,
            "total": (fine + surcharge) / 100,
        }
    # 当场收缴 (处罚法 arts. 68-71): loaded with the case by the selector.
    cash = getattr(case, "cash_collection", None)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "party_id": forms.party_label(case.party),
            "handlers": case.handlers.select_related("unit"),
            "current_step": step_name.get(case.step, case.step),
            "clocks": selectors.clock_views(case, today=today),
            "progress": progress,
            "actions": action_forms,
            "timeline": timeline,
            "checkpoint": latest_checkpoint(),
            "views": views,
            "evidence": [(e, step_name.get(e.step, e.step)) for e in evidence],
            "upload": evidence_views.upload_context(request, case),
            "exceptions": [(x, step_name.get(x.step, x.step)) for x in exceptions],
            "amount_due": due,
            "is_simple": case.procedure == Procedure.SIMPLE,
            "fine_yuan": case.fine_amount / 100,
            "limitation": clocks.case_limitation(case),
            "recusals": selectors.case_recusals(case),
            "cash": cash,
            "cash_yuan": cash.amount / 100 if cash else 0,
        },
    )
