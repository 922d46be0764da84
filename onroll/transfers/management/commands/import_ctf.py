"""python manage.py import_ctf FILE --user USERNAME [--joined-on YYYY-MM-DD] [--new-children]: import a CTF,
all or nothing.

A pupil whose UPN Onroll does not know but who may be a child it knows stops the import, with a report of each
such pupil and the children they may be: decide on the "Import a CTF" page, where each can be linked, or give
--new-children to make every such pupil a new child (each choice is recorded as the user's decision)."""

import datetime as dt
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from onroll.transfers.ctf_import import import_ctf
from onroll.transfers.known import NEW_CHILD

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
        parser.add_argument(
            "--new-children",
            action="store_true",
            help="make pupils who may be known children new children anyway (recorded as decisions)",
        )

    def handle(self, *args, file, user, joined_on, new_children, **options):
        try:
            importer = get_user_model().objects.get(username=user, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user is called {user}") from None
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        name, today = Path(file).name, timezone.localdate()
        try:
            result = import_ctf(importer, data, name, today=today, joined_on=joined_on)
            if result.review and new_children:
                choices = {r.pupil.number: NEW_CHILD for r in result.review}
                result = import_ctf(importer, data, name, today=today, joined_on=joined_on, choices=choices)
        except PermissionDenied:
            raise CommandError(f"{user} is not allowed to import CTFs") from None
        if result.review:
            self._report_candidates(result.review)
            sys.exit(1)
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

    def _report_candidates(self, review):
        for r in review[:SHOW_PROBLEMS]:
            self.stdout.write(f"{r.pupil.label}, born {r.born}, may be:")
            for c in r.found.candidates:
                upn = f", UPN {c.child.upn}" if c.child.upn else ""
                self.stdout.write(
                    f"  {c.child.full_name}, born {c.child.date_of_birth}{upn}, id {c.child.pk}: "
                    f"{c.percent}% match: {'; '.join(c.reasons)}"
                )
        more = len(review) - SHOW_PROBLEMS
        if more > 0:
            self.stdout.write(f"... and {more} more")
        self.stdout.write(
            f"Refused: {len(review)} pupils may be children Onroll knows. Nothing was imported. Decide on "
            "the Import a CTF page, or run again with --new-children to make them all new children."
        )
