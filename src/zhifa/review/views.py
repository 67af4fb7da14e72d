from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhifa.core.access import allowed
from zhifa.review import permissions, selectors


@allowed(permissions.can_view_reviews)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "review/index.html",
        {"reviews": selectors.review_list(user=request.user)[:100]},
    )
