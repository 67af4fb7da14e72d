from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "zhifa.disclosure"
    verbose_name = "行政执法公示"

    def ready(self) -> None:
        from zhifa.core import nav, todo
        from zhifa.disclosure import demo, permissions, todos  # noqa: F401 - demo registers

        todo.register(todos.disclosure_todos)
        nav.register("公示发布", "disclosure:manage_list", permissions.can_view, order=60)
