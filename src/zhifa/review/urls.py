from django.urls import path

from zhifa.review import views

app_name = "review"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/document.<str:ext>", views.document, name="document"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/findings/", views.findings, name="findings"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/disagree/", views.disagree, name="disagree"),
    path("<int:pk>/coordinate/", views.coordinate, name="coordinate"),
    path("<int:pk>/extend/", views.extend, name="extend"),
    path("<int:pk>/advice/", views.advice, name="advice"),
    path("<int:pk>/advice/<int:advice_pk>/answer/", views.advice_answer, name="advice_answer"),
    path("case/<int:case_pk>/submit/", views.submit, name="submit"),
    path("case/<int:case_pk>/discussion/", views.discussion, name="discussion"),
    path(
        "case/<int:case_pk>/discussion/<int:pk>/minutes/",
        views.discussion_minutes,
        name="discussion_minutes",
    ),
    path(
        "case/<int:case_pk>/discussion/<int:pk>/record.<str:ext>",
        views.discussion_record,
        name="discussion_record",
    ),
    path("stats/", views.stats, name="stats"),
    path("rules/", views.rules, name="rules"),
    path("rules/new/", views.rule_edit, name="rule_new"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("settings/", views.settings_edit, name="settings"),
]
