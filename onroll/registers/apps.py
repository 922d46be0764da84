from django.apps import AppConfig
from django.core import checks


def check_cnis_field_list(app_configs, **kwargs):
    """The register's field list is data an administrator may edit: a mistake in it is reported when the
    app starts (runserver, migrate, manage.py check), naming the line, rather than on the first page."""
    from .cnis_fields import FieldListError, read_fields

    try:
        read_fields()
    except (FieldListError, OSError) as exc:
        return [checks.Error(str(exc), id="registers.E001", hint="Correct reference/cnis_fields.csv")]
    return []


class RegistersConfig(AppConfig):
    name = "onroll.registers"
    label = "registers"
    verbose_name = "Registers (elective home education, children not in school)"

    def ready(self):
        checks.register(check_cnis_field_list)
