from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "zhifa.cases"
    verbose_name = "案件办理"

    def ready(self) -> None:
        from zhifa.cases import demo, permissions, todos  # noqa: F401 - demo registers its step
        from zhifa.core import nav, todo

        todo.register(todos.case_todos)
        nav.register("案件办理", "cases:case_list", permissions.can_view_cases, order=20)
