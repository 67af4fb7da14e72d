from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from zhifa import __version__
from zhifa.core import todo
from zhifa.core.access import allowed, public, signed_in


@public
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Logged in: 待办; anonymous: the public disclosure portal (no login needed)."""
    if request.user.is_authenticated:
        return redirect("core:todo")
    from zhifa.disclosure.views import portal_home

    return portal_home(request)


@public
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "error", "failing": "database", "detail": str(exc).strip()[:200]},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": connection.vendor, "version": __version__})


@allowed(signed_in)
@require_GET
def todo_page(request: HttpRequest) -> HttpResponse:
    return render(request, "core/todo.html", {"items": todo.items_for(request.user)})
