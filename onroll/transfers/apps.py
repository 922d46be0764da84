from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "onroll.transfers"
    label = "transfers"
    verbose_name = "Transfers (CTFs and moves between LAs)"
