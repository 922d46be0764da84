"""Which procedure tasks a user sees: their role's tasks in their school or LA, and those escalated to it."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from onroll.accounts.models import OrganisationKind
from onroll.schools.queries import la_id_of

from .models import Task, TaskStatus

RECENTLY_DONE_DAYS = 30


def visible_tasks(user) -> QuerySet[Task]:
    """Every task in the user's scope: a school's own pupils' tasks, or every task in an LA team's LA."""
    org = user.organisation
    if org is None:
        return Task.objects.none()
    if org.kind == OrganisationKind.SCHOOL:
        return Task.objects.filter(school__organisation=org)
    if org.kind == OrganisationKind.LA_TEAM:
        return Task.objects.filter(la_id=la_id_of(org))
    return Task.objects.none()


def my_tasks_filter(user) -> Q:
    return Q(role=user.role) | Q(escalate_to=user.role, escalated_on__isnull=False)


@dataclass(frozen=True)
class MyTasks:
    overdue: list[Task]
    due: list[Task]
    escalated: list[Task]
    done: list[Task]


def my_tasks(user, today: dt.date, limit: int = 200) -> MyTasks:
    mine = visible_tasks(user).filter(my_tasks_filter(user)).select_related("case", "case__child", "school")
    open_tasks = mine.filter(status=TaskStatus.OPEN)
    escalated = open_tasks.filter(escalate_to=user.role, escalated_on__isnull=False).exclude(role=user.role)
    own = open_tasks.filter(role=user.role)
    return MyTasks(
        overdue=list(own.filter(due_on__lt=today).order_by("due_on")[:limit]),
        due=list(
            own.filter(Q(due_on__gte=today) | Q(due_on__isnull=True)).order_by("due_on", "opened_on")[:limit]
        ),
        escalated=list(escalated.order_by("due_on")[:limit]),
        done=list(
            mine.filter(
                status=TaskStatus.DONE, done_on__gte=today - dt.timedelta(days=RECENTLY_DONE_DAYS)
            ).order_by("-done_on")[:limit]
        ),
    )
