from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "zhifa.ledger"
    verbose_name = "全过程记录"
