from django.urls import path

from zhifa.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("todo/", views.todo_page, name="todo"),
]
