from django.urls import path

from zhifa.org import views

app_name = "org"
urlpatterns = [
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path(
        "staff/<int:staff_pk>/certificates/new/",
        views.certificate_create,
        name="certificate_create",
    ),
    path("certificates/", views.certificate_list, name="certificate_list"),
    path("certificates/<int:pk>/", views.certificate_edit, name="certificate_edit"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_edit, name="unit_edit"),
    path("training/", views.training_list, name="training_list"),
    path("training/plans/new/", views.training_plan_create, name="training_plan_create"),
    path("training/records/new/", views.training_record_create, name="training_record_create"),
    path("leading-group/", views.leading_group, name="leading_group"),
    path("devices/", views.device_list, name="device_list"),
    path("devices/<int:pk>/", views.device_edit, name="device_edit"),
]
