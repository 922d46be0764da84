from django.core.management.base import BaseCommand, CommandError

from onroll.roll.data_files import copy_default_list
from onroll.schools.models import LocalAuthority


class Command(BaseCommand):
    help = "Give an LA its own reasonable-enquiry list, starting as a copy of the default list (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("la_code", help="the DfE three-digit LA number")

    def handle(self, la_code, **options):
        la = LocalAuthority.objects.filter(code=la_code).first()
        if la is None:
            raise CommandError(f"No LA with the number {la_code}")
        added = copy_default_list(la)
        self.stdout.write(f"{la}: {added} enquiries copied; edit the list in the admin (Enquiry kinds)")
