from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "zhifa.review"
    verbose_name = "法制审核"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhifa.core import nav, todo
        from zhifa.review import demo, permissions, todos  # noqa: F401 - demo registers its step

        nav.register("法制审核", "review:index", permissions.can_view_reviews, order=45)
        todo.register(todos.review_todos)
