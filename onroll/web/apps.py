from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "onroll.web"
    label = "web"
