from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_attendance_codes(sender, **kwargs):
    from .codes import load

    load()


class AttendanceConfig(AppConfig):
    name = "onroll.attendance"
    label = "attendance"

    def ready(self):
        # The codes are a data file; every migrate brings new codes in (and never overwrites admin edits).
        post_migrate.connect(_load_attendance_codes, sender=self)
