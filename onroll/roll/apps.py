from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_roll_data(sender, **kwargs):
    from .data_files import load

    load()


class RollConfig(AppConfig):
    name = "onroll.roll"
    label = "roll"
    verbose_name = "Removal from roll"

    def ready(self):
        # The deletion grounds and the default enquiry list are data files; every migrate brings new rows in.
        post_migrate.connect(_load_roll_data, sender=self)
