from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from zhifa.api import api
from zhifa.core import views as core_views
from zhifa.core.access import public
from zhifa.disclosure.feeds import decisions_feed
from zhifa.disclosure.views_search import search_short
from zhifa.org.forms import LoginForm

admin.site.site_header = "zhifa 系统配置"
admin.site.site_title = "zhifa 系统配置"

urlpatterns = [
    # First: the public portal takes most requests, and each pattern before it is tried.
    path("portal/", include("zhifa.disclosure.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path(
        "accounts/login/",
        public(auth_views.LoginView.as_view(authentication_form=LoginForm)),
        name="login",
    ),
    path("accounts/logout/", public(auth_views.LogoutView.as_view()), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/uploads/", include("zhifa.ledger.urls")),
    path("api/v1/", api.urls),
    path("org/", include("zhifa.org.urls")),
    path("catalog/", include("zhifa.catalog.urls")),
    path("cases/", include("zhifa.cases.urls")),
    path("feeds/decisions.atom", decisions_feed, name="decisions_feed"),
    path("search/", search_short, name="search"),
    path("review/", include("zhifa.review.urls")),
    path("", include("zhifa.core.urls")),
]
