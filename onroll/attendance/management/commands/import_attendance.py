"""python manage.py import_attendance FILE --user USERNAME: import a marks CSV, all of it or nothing."""

import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from onroll.attendance.services import import_marks

SHOW_ERRORS = 200
BAR_WIDTH = 30
BLOCK = 1 << 24


def count_rows(path) -> int:
    """The file's rows after the header, counted as line ends in binary blocks: six times faster than
    reading the lines as text (4 s against 22 for a year's 2.4 GiB). The count drives the progress bar and
    decides whether the import is a bulk load, so a quoted line break here and there does not matter."""
    lines = 0
    with open(path, "rb") as handle:
        while block := handle.read(BLOCK):
            lines += block.count(b"\n")
    return max(lines - 1, 0)


class Command(BaseCommand):
    help = "Import attendance marks from a CSV with the header upn,laestab,date,session,code."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="the username the import is made as")

    def handle(self, *args, file, user, **options):
        try:
            importer = get_user_model().objects.get(username=user, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user is called {user}") from None
        try:
            total = count_rows(file)
            with open(file, encoding="utf-8-sig", newline="") as handle:
                result = import_marks(importer, handle, total=total, progress=self.progress)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        except PermissionDenied:
            raise CommandError(f"{user} is not allowed to import attendance") from None
        finally:
            self.stderr.write("")  # end the progress line

        if result.refused:
            for error in result.errors[:SHOW_ERRORS]:
                self.stdout.write(f"Line {error.line}, {error.column}: {error.message}")
            more = len(result.errors) - SHOW_ERRORS
            if more > 0:
                self.stdout.write(f"... and {more} more")
            self.stdout.write(
                f"Refused: {len(result.errors)} problems in {result.rows} rows. Nothing was saved."
            )
            sys.exit(1)
        self.stdout.write(
            f"Imported {result.rows} rows: {result.added} marks added, {result.replaced} replaced, "
            f"{result.unchanged} unchanged."
        )

    def progress(self, stage: str, done: int, total: int):
        share = done / total if total else 1
        filled = round(BAR_WIDTH * share)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stderr.write(f"\r{stage:<8} [{bar}] {share:4.0%} {done}/{total}", ending="")
        self.stderr.flush()
