from django.urls import path

from zhifa.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/clue/", views.clue_create, name="clue_create"),
    path("new/licence/", views.licence_apply, name="licence_apply"),
    path("new/simple/", views.simple_penalty, name="simple_penalty"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    *[
        path(f"<int:pk>/{key.replace('_', '-')}/", view, name=f"case_{key}")
        for key, view in views.action_views.items()
    ],
]
