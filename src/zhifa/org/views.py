"""Back-office pages for units, staff, certificates, training and the leading group.

Views stay thin: parse the form, call a selector or a service, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from zhifa.core.access import allowed
from zhifa.core.forms import form_outcome, get_or_404
from zhifa.org import forms, permissions, selectors, services
from zhifa.org.models import DeviceStatus
from zhifa.org.roles import OFFICE_GRANTABLE, Role

GET_POST = require_http_methods(["GET", "POST"])


@allowed(permissions.can_view_staff)
def staff_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    agency_id = _int_or_none(request.GET.get("agency"))
    staff = selectors.staff_list(user=request.user, query=query, agency_id=agency_id)
    return render(
        request,
        "org/staff_list.html",
        {
            "staff": staff,
            "query": query,
            "agencies": selectors.agency_list(user=request.user),
            "agency_id": agency_id,
            "can_manage": permissions.can_manage_staff(request.user),
        },
    )


@allowed(permissions.can_view_staff)
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    staff = get_or_404(selectors.staff_get, user=request.user, pk=pk)
    return render(
        request,
        "org/staff_detail.html",
        {
            "person": staff,
            "roles": [g.name for g in staff.user.groups.all()],
            "certificates": selectors.certificate_list(user=request.user).filter(holder=staff),
            "trainings": selectors.training_list(user=request.user).filter(staff=staff),
            "today": timezone.localdate(),
            "can_manage": permissions.can_manage_staff(request.user),
            "can_view_training": permissions.can_view_training(request.user),
        },
    )


@allowed(permissions.can_manage_staff)
@GET_POST
def staff_create(request: HttpRequest) -> HttpResponse:
    form = forms.StaffCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = form_outcome(
            form,
            lambda: services.staff_create(
                acting_user=request.user,
                username=data["username"],
                password=data["password"],
                real_name=data["real_name"],
                unit=data["unit"],
                post=data["post"],
                phone=data["phone"],
                legal_qualification=data["legal_qualification"],
                qualification_detail=data["qualification_detail"],
                roles=[Role(r) for r in data["roles"]],
            ),
        )
        if done:
            staff = done.value
            messages.success(request, f"已添加工作人员：{staff.real_name}。")
            return redirect("org:staff_detail", pk=staff.pk)
    return render(
        request,
        "org/form.html",
        {"form": form, "title": "添加工作人员", "cancel_url": reverse("org:staff_list")},
    )


@allowed(permissions.can_manage_staff)
@GET_POST
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    staff = get_or_404(selectors.staff_get, user=request.user, pk=pk)
    initial = {
        "real_name": staff.real_name,
        "unit": staff.unit,
        "post": staff.post,
        "phone": staff.phone,
        "legal_qualification": staff.legal_qualification,
        "qualification_detail": staff.qualification_detail,
        "is_active": staff.is_active,
        "roles": [g.name for g in staff.user.groups.all() if g.name in OFFICE_GRANTABLE],
    }
    form = forms.StaffEditForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = form_outcome(
            form,
            lambda: services.staff_update(
                acting_user=request.user,
                staff=staff,
                real_name=data["real_name"],
                unit=data["unit"],
                post=data["post"],
                phone=data["phone"],
                legal_qualification=data["legal_qualification"],
                qualification_detail=data["qualification_detail"],
                is_active=data["is_active"],
                roles=[Role(r) for r in data["roles"]],
            ),
        )
        if done:
            messages.success(request, "已保存。")
            return redirect("org:staff_detail", pk=staff.pk)
    return render(
        request,
        "org/form.html",
        {
            "form": form,
            "title": f"编辑工作人员：{staff.real_name}",
            "cancel_url": reverse("org:staff_detail", args=[staff.pk]),
        },
    )


@allowed(permissions.can_view_certificates)
def certificate_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    today = timezone.localdate()
    return render(
        request,
        "org/certificate_list.html",
        {
            "certificates": selectors.certificate_list(
                user=request.user, query=query, status=status
            ),
            "report": selectors.certificate_expiry_report(user=request.user, today=today),
            "query": query,
            "status": status,
            "statuses": forms.CertificateStatus.choices,
            "today": today,
            "can_manage": permissions.can_manage_certificates(request.user),
        },
    )


@allowed(permissions.can_manage_certificates)
@GET_POST
def certificate_create(request: HttpRequest, staff_pk: int) -> HttpResponse:
    holder = get_or_404(selectors.staff_get, user=request.user, pk=staff_pk)
    form = forms.CertificateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = form_outcome(
            form,
            lambda: services.certificate_create(
                acting_user=request.user,
                holder=holder,
                number=data["number"],
                issuing_authority=data["issuing_authority"],
                areas=list(data["areas"]),
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
            ),
        )
        if done:
            messages.success(request, f"已为{holder.real_name}登记执法证。")
            return redirect("org:staff_detail", pk=holder.pk)
    return render(
        request,
        "org/form.html",
        {
            "form": form,
            "title": f"登记执法证：{holder.real_name}",
            "cancel_url": reverse("org:staff_detail", args=[holder.pk]),
        },
    )


@allowed(permissions.can_manage_certificates)
@GET_POST
def certificate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = get_or_404(selectors.certificate_get, user=request.user, pk=pk)
    initial = {
        "number": certificate.number,
        "issuing_authority": certificate.issuing_authority,
        "areas": list(certificate.areas.all()),
        "valid_from": certificate.valid_from,
        "valid_to": certificate.valid_to,
    }
    form = forms.CertificateForm(request.POST or None, initial=initial)
    form.fields["number"].disabled = True
    status_form = forms.CertificateStatusForm(
        request.POST if "status" in request.POST else None,
        initial={"status": certificate.status},
    )
    if request.method == "POST" and "status" in request.POST:
        if status_form.is_valid():
            done = form_outcome(
                status_form,
                lambda: services.certificate_set_status(
                    acting_user=request.user,
                    certificate=certificate,
                    status=status_form.cleaned_data["status"],
                    reason=status_form.cleaned_data["reason"],
                ),
            )
            if done:
                messages.success(request, f"执法证{certificate.number}状态已变更。")
                return redirect("org:certificate_list")
        form = forms.CertificateForm(initial=initial)
        form.fields["number"].disabled = True
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = form_outcome(
            form,
            lambda: services.certificate_update(
                acting_user=request.user,
                certificate=certificate,
                issuing_authority=data["issuing_authority"],
                areas=list(data["areas"]),
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
            ),
        )
        if done:
            messages.success(request, "已保存。")
            return redirect("org:certificate_list")
    return render(
        request,
        "org/certificate_edit.html",
        {"form": form, "status_form": status_form, "certificate": certificate},
    )


@allowed(permissions.can_manage_units)
@GET_POST
def unit_list(request: HttpRequest) -> HttpResponse:
    form = forms.UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = form_outcome(
            form, lambda: services.unit_create(acting_user=request.user, **form.cleaned_data)
        )
        if done:
            messages.success(request, f"已添加科室：{form.cleaned_data['name']}。")
            return redirect("org:unit_list")
    return render(
        request,
        "org/unit_list.html",
        {"units": selectors.unit_list(user=request.user), "form": form},
    )


@allowed(permissions.can_manage_units)
@GET_POST
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_or_404(
        lambda user, pk: selectors.unit_list(user=user).get(pk=pk), user=request.user, pk=pk
    )
    form = forms.UnitForm(
        request.POST or None, initial={"name": unit.name, "is_legal_unit": unit.is_legal_unit}
    )
    if request.method == "POST" and form.is_valid():
        done = form_outcome(
            form,
            lambda: services.unit_update(acting_user=request.user, unit=unit, **form.cleaned_data),
        )
        if done:
            messages.success(request, "已保存。")
            return redirect("org:unit_list")
    return render(
        request,
        "org/form.html",
        {"form": form, "title": f"编辑科室：{unit.name}", "cancel_url": reverse("org:unit_list")},
    )


@allowed(permissions.can_view_training)
def training_list(request: HttpRequest) -> HttpResponse:
    year = _int_or_none(request.GET.get("year")) or timezone.localdate().year
    records = selectors.training_list(user=request.user, year=year)
    return render(
        request,
        "org/training_list.html",
        {
            "records": records,
            "plans": selectors.training_plan_list(user=request.user).filter(planned_on__year=year),
            "year": year,
            "total_hours": sum(r.hours for r in records),
            "can_manage": permissions.can_manage_training(request.user),
        },
    )


@allowed(permissions.can_manage_training)
@GET_POST
def training_plan_create(request: HttpRequest) -> HttpResponse:
    form = forms.TrainingPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = form_outcome(
            form,
            lambda: services.training_plan_create(acting_user=request.user, **form.cleaned_data),
        )
        if done:
            messages.success(request, "已添加培训计划。")
            return redirect("org:training_list")
    return render(
        request,
        "org/form.html",
        {"form": form, "title": "添加培训计划", "cancel_url": reverse("org:training_list")},
    )


@allowed(permissions.can_manage_training)
@GET_POST
def training_record_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    if plan_pk := _int_or_none(request.GET.get("plan")):
        plan = get_or_404(selectors.training_plan_get, user=request.user, pk=plan_pk)
        initial = {
            "plan": plan,
            "course": plan.title,
            "hours": plan.hours,
            "attended_on": plan.planned_on,
        }
    form = forms.TrainingRecordForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = form_outcome(
            form,
            lambda: services.training_record_create(
                acting_user=request.user, **{**data, "staff": list(data["staff"])}
            ),
        )
        if done:
            messages.success(request, f"已登记{len(done.value)}人次培训。")
            return redirect("org:training_list")
    return render(
        request,
        "org/form.html",
        {"form": form, "title": "登记培训（签到）", "cancel_url": reverse("org:training_list")},
    )


@allowed(permissions.can_view_leading_group)
def leading_group(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "org/leading_group.html",
        {"groups": selectors.leading_group_list(user=request.user)},
    )


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@allowed(permissions.can_view_devices)
@GET_POST
def device_list(request: HttpRequest) -> HttpResponse:
    can_manage = permissions.can_manage_devices(request.user)
    form = forms.DeviceForm(request.POST or None, user=request.user) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("您没有登记执法装备的权限。")
        if form.is_valid():
            done = form_outcome(
                form, lambda: services.device_create(acting_user=request.user, **form.cleaned_data)
            )
            if done:
                messages.success(request, f"已登记执法装备：{done.value}。")
                return redirect("org:device_list")
    status = request.GET.get("status", "")
    status = status if status in DeviceStatus.values else ""
    return render(
        request,
        "org/device_list.html",
        {
            "devices": selectors.device_list(user=request.user, status=status),
            "inventory": selectors.device_inventory(user=request.user),
            "statuses": DeviceStatus.choices,
            "status": status,
            "form": form,
            "can_manage": can_manage,
        },
    )


@allowed(permissions.can_manage_devices)
@GET_POST
def device_edit(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_or_404(selectors.device_get, user=request.user, pk=pk)
    initial = {
        "kind": device.kind,
        "serial_number": device.serial_number,
        "model_name": device.model_name,
        "unit": device.unit_id,
        "assigned_to": device.assigned_to_id,
        "status": device.status,
    }
    form = forms.DeviceForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = form_outcome(
            form,
            lambda: services.device_update(
                acting_user=request.user, device=device, **form.cleaned_data
            ),
        )
        if done:
            messages.success(request, "已保存。")
            return redirect("org:device_list")
    return render(
        request,
        "org/form.html",
        {
            "form": form,
            "title": f"编辑执法装备：{device}",
            "cancel_url": reverse("org:device_list"),
        },
    )
