from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "zhifa.catalog"
    verbose_name = "执法事项与依据"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from zhifa.catalog import demo, navigation, standard  # noqa: F401 - demo registers

        # The standard flows and templates are loaded (or updated) after every migrate.
        post_migrate.connect(standard.load_on_migrate, sender=self, dispatch_uid="catalog_std")
        navigation.register_all()
