from django.urls import path

from zhifa.disclosure import views, views_push, views_search

app_name = "disclosure"
urlpatterns = [
    path("", views.portal_home, name="home"),
    path("decisions/", views.decision_list, name="decision_list"),
    path("search/", views_search.search_page, name="search"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/verify/", views.decision_verify, name="decision_verify"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("agencies/<int:pk>/items/<int:item_pk>/", views.item_detail, name="item_detail"),
    path("agencies/<int:pk>/officers/", views.officer_list, name="officer_list"),
    path("agencies/<int:pk>/templates/", views.template_list, name="template_list"),
    path("agencies/<int:pk>/cards/", views.window_cards, name="window_cards"),
    path("agencies/<int:pk>/guides/", views.guide_list, name="guide_list"),
    path("agencies/<int:pk>/inspections/", views.inspection_list, name="inspection_list"),
    path("items/", views.all_items, name="all_items"),
    path("inspections/", views.all_inspections, name="all_inspections"),
    path("manage/", views.manage_list, name="manage_list"),
    path("manage/<int:pk>/", views.manage_detail, name="manage_detail"),
    path("manage/<int:pk>/review/", views.manage_review, name="manage_review"),
    path("manage/<int:pk>/publish/", views.manage_publish, name="manage_publish"),
    path("manage/<int:pk>/correct/", views.manage_correct, name="manage_correct"),
    path("manage/<int:pk>/withdraw/", views.manage_withdraw, name="manage_withdraw"),
    path("manage/subscribers/", views_push.subscriber_list, name="subscriber_list"),
    path("manage/subscribers/new/", views_push.subscriber_create, name="subscriber_create"),
    path("manage/subscribers/<int:pk>/", views_push.subscriber_detail, name="subscriber_detail"),
    path("manage/subscribers/<int:pk>/edit/", views_push.subscriber_edit, name="subscriber_edit"),
    path(
        "manage/subscribers/<int:pk>/deactivate/",
        views_push.subscriber_deactivate,
        name="subscriber_deactivate",
    ),
    path(
        "manage/subscribers/<int:pk>/backfill/",
        views_push.subscriber_backfill,
        name="subscriber_backfill",
    ),
    path("manage/push/<int:pk>/retry/", views_push.message_retry, name="message_retry"),
]
