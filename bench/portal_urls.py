"""The benchmark's URLconf: the project's URLs plus `/bench/trivial/`, the baseline view that
the portal pages are compared with (the same server, middleware and process). Bench-only:
`portal_settings` points ROOT_URLCONF here; the product's `zhifa.urls` does not have it."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_GET

from zhifa.core.access import public


@public
@require_GET
def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/trivial/", trivial, name="bench_trivial"),
    path("", include("zhifa.urls")),
]
