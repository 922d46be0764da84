from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "onroll.matching"
    default_auto_field = "django.db.models.BigAutoField"
