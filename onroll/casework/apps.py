from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_reference_lists(sender, **kwargs):
    from .reference_lists import load

    load()


class CaseworkConfig(AppConfig):
    name = "onroll.casework"
    label = "casework"

    def ready(self):
        # Reasons and vulnerabilities are data files; every migrate brings new codes in.
        post_migrate.connect(_load_reference_lists, sender=self)
