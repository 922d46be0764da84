"""Build the synthetic demo LA (once) and print who to sign in as."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from onroll.demo.generator import DEMO_PASSWORD, DemoResult, generate
from onroll.demo.issue4 import add_issue4
from onroll.demo.procedures import start_procedures
from onroll.newpupils.demo import add_new_pupil_returns


class Command(BaseCommand):
    help = "Build a synthetic local authority with schools, children, cases and one demo user per role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--la-code", default="990", help="three-digit LA number (default 990, not a real LA)"
        )
        parser.add_argument("--la-name", default="Northmere")
        parser.add_argument("--children", type=int, default=12_000)
        parser.add_argument("--cases", type=int, default=200)
        parser.add_argument("--schools", type=int, help="default: one per 300 children (40 for the demo)")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--batch-size", type=int, default=2_000)
        parser.add_argument("--user-prefix", default="", help="prefix for the demo usernames of a second LA")
        parser.add_argument("--reset", action="store_true", help="explain how to start the demo again")

    def handle(self, *args, **options):
        if options["reset"]:
            # The audit log is append-only (database triggers refuse deletes), so demo rows that audit
            # events point at cannot be removed in place: start from an empty database instead.
            raise CommandError(
                "Demo data cannot be deleted in place because the audit log is append-only. Delete the "
                "database (var/onroll.sqlite3 by default), then run `manage.py migrate` and "
                "`manage.py demo_data`."
            )
        self.verbosity = options["verbosity"]
        started = time.monotonic()
        try:
            result = generate(
                options["la_code"],
                options["la_name"],
                options["children"],
                options["cases"],
                options["schools"],
                options["seed"],
                options["batch_size"],
                user_prefix=options["user_prefix"],
                progress=self._progress,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self._report(result, time.monotonic() - started)
        if result.created:
            self._first_run(result, options)
        self._logins(result)

    def _first_run(self, result: DemoResult, options):
        report = start_procedures(result.la, timezone.localdate())
        self.stdout.write(
            f"Daily run for {report.on:%d %B %Y}: {report.procedures_opened} absence procedures started "
            f"({report.cases_opened} new at-risk cases), {report.tasks_opened} tasks, {report.escalated} "
            "escalated."
        )
        story = add_issue4(result.la, report.on, user_prefix=options["user_prefix"], seed=options["seed"])
        self.stdout.write(story.summary())
        self.stdout.write(add_new_pupil_returns(result.la, report.on, user_prefix=options["user_prefix"]))

    def _progress(self, done: int, total: int):
        if self.verbosity >= 2 or total > 50_000:
            self.stdout.write(f"  {done:,} of {total:,} children")

    def _report(self, result: DemoResult, seconds: float):
        if result.created:
            counts = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in result.counts.items())
            self.stdout.write(self.style.SUCCESS(f"Built {result.la} in {seconds:.1f}s: {counts}"))
        else:
            self.stdout.write(f"{result.la} already exists: nothing added.")

    def _logins(self, result: DemoResult):
        rows = [("Username", "Password", "Role", "Organisation")]
        rows += [(login.username, DEMO_PASSWORD, login.role, login.organisation) for login in result.logins]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for i, row in enumerate(rows):
            self.stdout.write(
                "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            )
            if i == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        self.stdout.write("\nOpen http://127.0.0.1:8000/")
