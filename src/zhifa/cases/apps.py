from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "zhifa.cases"
    verbose_name = "案件办理"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from zhifa.org import roles

        # cases.view_case exists only once this app's permissions are created: sync again.
        post_migrate.connect(roles.sync_groups, sender=self, dispatch_uid="cases_roles")
        from zhifa.cases import demo, permissions, todos  # noqa: F401 - demo registers its step
        from zhifa.core import nav, todo

        todo.register(todos.case_todos)
        nav.register("案件办理", "cases:case_list", permissions.can_view_cases, order=20)
