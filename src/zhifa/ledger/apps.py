from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "zhifa.ledger"
    verbose_name = "全过程记录"

    def ready(self) -> None:
        from zhifa.core import todo
        from zhifa.ledger import todos

        todo.register(todos.fixity_todos)
