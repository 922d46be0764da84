"""My tasks, and one task's page where it is marked done with its evidence."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from onroll.accounts.permissions import Perm
from onroll.audit.services import record_view
from onroll.casework.queries import visible_cases
from onroll.procedures import queries, services
from onroll.procedures.models import Task

from ..forms import CompleteTaskForm
from .common import apply_service_errors, require, today


@login_required
def my_tasks(request):
    require(request.user, Perm.WORK_TASKS)
    return render(
        request, "web/my_tasks.html", {"tasks": queries.my_tasks(request.user, today()), "today": today()}
    )


def _task_or_404(user, task_id) -> Task:
    task = (
        queries.visible_tasks(user)
        .filter(case__in=visible_cases(user))
        .select_related("case", "case__child", "school", "procedure", "procedure__pack_version", "done_by")
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise Http404("Page not found")
    return task


@login_required
def task_detail(request, task_id):
    require(request.user, Perm.WORK_TASKS)
    task = _task_or_404(request.user, task_id)
    record_view(request.user, task, child_id=task.case.child_id)
    allowed = services.can_complete(request.user, task)
    form = CompleteTaskForm(request.POST or None, initial={"done_on": today()}) if allowed else None
    if request.method == "POST":
        if form is None:
            raise Http404("Page not found")
        if form.is_valid():
            try:
                opened = services.complete_task(
                    request.user,
                    task,
                    form.cleaned_data["done_on"],
                    form.cleaned_data["evidence"],
                    today=today(),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                follow = "".join(f" Next: {t.title}." for t in opened)
                messages.success(request, f"Task marked as done.{follow}")
                return redirect(reverse("web:case", args=[task.case_id]))
    return render(
        request,
        "web/task.html",
        {
            "task": task,
            "form": form,
            "child": task.case.child,
            "today": today(),
            "overdue": task.is_overdue(today()),
        },
    )
