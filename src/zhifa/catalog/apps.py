from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "zhifa.catalog"
    verbose_name = "执法事项与依据"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from zhifa.catalog import demo, navigation, standard  # noqa: F401 - demo registers
        from zhifa.org import roles

        # Roles are synced again once this app's permissions exist (org's own sync runs
        # before them), then the standard flows and templates are loaded.
        post_migrate.connect(roles.sync_groups, sender=self, dispatch_uid="catalog_roles")
        post_migrate.connect(standard.load_on_migrate, sender=self, dispatch_uid="catalog_std")
        navigation.register_all()
