"""Write every child's stored matching row again (the triggers keep them in step; this is for doubt)."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from onroll.matching import stored_profiles
from onroll.matching.models import MatchProfile


class Command(BaseCommand):
    help = "Rebuild the stored matching row of every child from the children's records, in one transaction."

    def handle(self, *args, **opts):
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in stored_profiles.rebuild_sql(connection.vendor):
                cursor.execute(statement)
        self.stdout.write(f"Rebuilt the matching rows of {MatchProfile.objects.count():,} children.")
