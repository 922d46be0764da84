from .models import LocalAuthority


def la_id_of(org):
    """The LA an organisation works in, as a key, so register queries can use the (la, ...) indexes
    directly; joining on the LA's code instead makes PostgreSQL scan every case."""
    return LocalAuthority.objects.filter(code=org.la_code).values_list("id", flat=True).first()
