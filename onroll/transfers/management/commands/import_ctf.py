"""python manage.py import_ctf FILE --user USERNAME [--joined-on YYYY-MM-DD]: import a CTF, all or nothing."""

import datetime as dt
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from onroll.transfers.ctf_import import import_ctf

SHOW_PROBLEMS = 200


class Command(BaseCommand):
    help = "Import a common transfer file (CTF XML) into children and roll history."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="the username the import is made as")
        parser.add_argument(
            "--joined-on",
            type=dt.date.fromisoformat,
            help="for a file addressed to a school: the date the pupils joined it (puts them on its roll)",
        )

    def handle(self, *args, file, user, joined_on, **options):
        try:
            importer = get_user_model().objects.get(username=user, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user is called {user}") from None
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        try:
            result = import_ctf(
                importer, data, Path(file).name, today=timezone.localdate(), joined_on=joined_on
            )
        except PermissionDenied:
            raise CommandError(f"{user} is not allowed to import CTFs") from None
        if result.refused:
            for problem in result.problems[:SHOW_PROBLEMS]:
                self.stdout.write(str(problem))
            more = len(result.problems) - SHOW_PROBLEMS
            if more > 0:
                self.stdout.write(f"... and {more} more")
            self.stdout.write(f"Refused: {len(result.problems)} problems. Nothing was imported.")
            sys.exit(1)
        if result.already_imported_on:
            self.stdout.write(f"Already imported on {result.already_imported_on}: nothing changed.")
            return
        self.stdout.write(
            f"Imported {result.pupils} pupils: {result.created} new, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
