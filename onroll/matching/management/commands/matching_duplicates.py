"""Find likely duplicate children across an LA's register (or every LA) and keep them for review."""

import time

from django.core.management.base import BaseCommand, CommandError

from onroll.matching import scoring
from onroll.matching.duplicates import find_duplicates
from onroll.schools.models import LocalAuthority


class Command(BaseCommand):
    help = "Find likely duplicate children and list them on the duplicates page. Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument("--la", help="LA number (default: every LA)")
        parser.add_argument("--enqueue", action="store_true", help="queue it for the task worker instead")

    def handle(self, *args, **opts):
        las = LocalAuthority.objects.all()
        if opts["la"]:
            las = las.filter(code=opts["la"])
            if not las.exists():
                raise CommandError(f"No LA with number {opts['la']}")
        if opts["enqueue"]:
            from onroll.matching.tasks import find_duplicates_task

            for la in las:
                find_duplicates_task.enqueue(la.code)
                self.stdout.write(f"Queued the duplicates job for {la}")
            return
        try:
            scoring.current()
        except scoring.ModelError as exc:
            raise CommandError(str(exc)) from exc
        for la in las:
            start = time.perf_counter()
            r = find_duplicates(la)
            self.stdout.write(
                f"{la}: {r.children} children, {r.compared} pairs compared, {r.found} likely duplicates "
                f"({r.new} new) in {time.perf_counter() - start:.1f} s"
            )
