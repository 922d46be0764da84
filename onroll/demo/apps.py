from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Synthetic demo data: a made-up LA with schools, children, cases and one user per role."""

    name = "onroll.demo"
    label = "demo"
