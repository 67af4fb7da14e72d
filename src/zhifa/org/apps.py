from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "zhifa.org"
    verbose_name = "机构与人员"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from zhifa.org import demo, navigation, roles  # noqa: F401 - demo registers its step

        post_migrate.connect(roles.sync_groups, sender=self)
        navigation.register_all()
