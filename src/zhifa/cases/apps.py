from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "zhifa.cases"
    verbose_name = "案件办理"

    def ready(self) -> None:
        from zhifa.cases import todos
        from zhifa.core import todo

        todo.register(todos.case_todos)
