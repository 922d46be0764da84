from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "onroll.procedures"
    label = "procedures"
    verbose_name = "Procedure packs"
