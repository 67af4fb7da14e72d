from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "zhifa.disclosure"
    verbose_name = "行政执法公示"

    def ready(self) -> None:
        from zhifa.core import nav, todo
        from zhifa.disclosure import (  # noqa: F401 - demo registers
            demo,
            permissions,
            push,
            search_sources,
            todos,
        )

        todo.register(todos.disclosure_todos)
        todo.register(push.push_todos)
        search_sources.register()
        nav.register("公示发布", "disclosure:manage_list", permissions.can_view, order=60)
        nav.register("公示推送", "disclosure:subscriber_list", permissions.can_view_push, order=61)
