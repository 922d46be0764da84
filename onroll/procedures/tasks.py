"""The daily run as a background task in the database worker (`manage.py db_worker`).

django-tasks has no clock of its own, so the task schedules itself: each run enqueues the next one for the
following day at settings.DAILY_RUN_AT, and `manage.py daily_run --schedule` starts the chain. Scheduling
is idempotent: a run already waiting is never duplicated (decision 0005).
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from onroll.matching.tasks import find_duplicates_task
from onroll.schools.models import LocalAuthority

from .run import daily_run

TASK_PATH = f"{__name__}.run_daily_procedures"


@task()
def run_daily_procedures(on: str = "") -> dict:
    """Run every LA's procedures for `on` (ISO date; default today), queue each LA's search for likely
    duplicate children (a task of its own, so one big register does not hold up the rest), then queue
    tomorrow's run."""
    report = daily_run(dt.date.fromisoformat(on) if on else timezone.localdate())
    for code in LocalAuthority.objects.values_list("code", flat=True):
        find_duplicates_task.enqueue(code)
    schedule_next_run()
    return {
        "on": report.on.isoformat(),
        "pupils": report.pupils,
        "procedures_opened": report.procedures_opened,
        "tasks_opened": report.tasks_opened,
        "escalated": report.escalated,
        "stood_down": report.stood_down,
        "problems": report.problems,
    }


def next_run_time(now: dt.datetime) -> dt.datetime:
    """The next DAILY_RUN_AT strictly after `now`, in the project's time zone."""
    hour, minute = (int(part) for part in settings.DAILY_RUN_AT.split(":"))
    local = timezone.localtime(now)
    at = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return at if at > local else at + dt.timedelta(days=1)


def schedule_next_run(now: dt.datetime | None = None) -> dt.datetime:
    """Queue the next run unless one is already waiting; returns when the waiting run will happen."""
    waiting = DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY").order_by("run_after").first()
    if waiting is not None:
        return waiting.run_after
    run_after = next_run_time(now or timezone.now())
    run_daily_procedures.using(run_after=run_after).enqueue()
    return run_after
