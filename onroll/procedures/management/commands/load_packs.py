from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onroll.procedures.packs import PackError
from onroll.procedures.services import PACK_DIR, PackVersionConflict, load_packs


class Command(BaseCommand):
    help = (
        "Validate the procedure packs (procedure_packs/*.yaml) and store each new version. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", type=Path, default=PACK_DIR, help="folder of pack files (default: %(default)s)"
        )

    def handle(self, *args, **options):
        try:
            result = load_packs(options["dir"])
        except (PackError, PackVersionConflict) as error:
            raise CommandError(f"No pack loaded:\n{error}") from error
        for pack in result.added:
            self.stdout.write(f"added {pack.id} version {pack.version} ({pack.filename})")
        self.stdout.write(f"{len(result.added)} added, {len(result.unchanged)} unchanged")
