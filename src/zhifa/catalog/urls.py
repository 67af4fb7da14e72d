from django.urls import path

from zhifa.catalog import views

app_name = "catalog"
urlpatterns = [
    path("laws/", views.law_list, name="law_list"),
    path("laws/<int:pk>/", views.law_detail, name="law_detail"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
    path("items/", views.item_list, name="item_list"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/revise/", views.item_revise, name="item_revise"),
    path(
        "items/<int:pk>/versions/<int:number>/approve/",
        views.item_approve,
        name="item_approve",
    ),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/edit/", views.inspection_edit, name="inspection_edit"),
    path("inspections/<int:pk>/delete/", views.inspection_delete, name="inspection_delete"),
    path("flows/", views.flow_list, name="flow_list"),
    path("flows/<str:code>.svg", views.flow_svg, name="flow_svg"),
    path("flows/<str:code>/", views.flow_detail, name="flow_detail"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/numbering/", views.numbering_set, name="numbering_set"),
    path("templates/<int:pk>/", views.template_detail, name="template_detail"),
]
