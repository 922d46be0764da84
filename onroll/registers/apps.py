from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "onroll.registers"
    label = "registers"
    verbose_name = "Registers (elective home education, children not in school)"
