import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from onroll.procedures.run import daily_run
from onroll.procedures.tasks import schedule_next_run
from onroll.schools.models import LocalAuthority


class Command(BaseCommand):
    help = (
        "Run every procedure pack against the registers for a day (default today): open, advance, escalate "
        "and stand down procedures and tasks. Running it twice on a day changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to run for, as YYYY-MM-DD (default: today)")
        parser.add_argument("--la", help="Only this LA (its three-digit DfE number)")
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Instead of running now, queue the daily run in the task worker (manage.py db_worker)",
        )

    def handle(self, *args, date=None, la=None, schedule=False, **options):
        if schedule:
            at = schedule_next_run()
            self.stdout.write(f"The daily run is queued for {timezone.localtime(at):%d %B %Y %H:%M}.")
            return
        try:
            on = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date must be a date like 2026-11-20, not {date!r}") from None
        authority = None
        if la:
            authority = LocalAuthority.objects.filter(code=la).first()
            if authority is None:
                raise CommandError(f"There is no LA with the number {la}")
        report = daily_run(on, la=authority)
        self.stdout.write(
            f"Daily run for {on:%d %B %Y}: {report.pupils} pupils; {report.procedures_opened} procedures "
            f"started ({report.cases_opened} new cases), {report.tasks_opened} tasks opened, "
            f"{report.escalated} escalated, {report.stood_down} stood down."
        )
        for problem in report.problems:
            self.stderr.write(problem)
