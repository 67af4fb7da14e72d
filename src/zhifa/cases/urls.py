from django.urls import path

from zhifa.cases import document_views, evidence_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/clue/", views.clue_create, name="clue_create"),
    path("new/licence/", views.licence_apply, name="licence_apply"),
    path("new/simple/", views.simple_penalty, name="simple_penalty"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/evidence/upload/", evidence_views.evidence_attach, name="evidence_attach"),
    path("<int:pk>/evidence/list/", evidence_views.evidence_list, name="evidence_list"),
    path(
        "<int:pk>/evidence/<int:evidence_id>/file",
        evidence_views.evidence_file,
        name="evidence_file",
    ),
    *document_views.urlpatterns,
    *[
        path(f"<int:pk>/{key.replace('_', '-')}/", view, name=f"case_{key}")
        for key, view in views.action_views.items()
    ],
]
