from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "onroll.children"
    label = "children"
