"""Uploading a school's attendance marks (the same service as `manage.py import_attendance`)."""

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from onroll.accounts.permissions import Perm
from onroll.attendance.services import import_marks

from .common import require

SHOW_ERRORS = 500


class AttendanceFileForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV file",
        help_text="The header must be upn,laestab,date,session,code",
        error_messages={"required": "Choose a CSV file of attendance marks"},
    )


@login_required
def import_attendance(request):
    require(request.user, Perm.IMPORT_ATTENDANCE)
    posted = request.method == "POST"
    form = AttendanceFileForm(request.POST if posted else None, request.FILES if posted else None)
    result = None
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            lines = io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")
            result = import_marks(request.user, lines)
        except UnicodeDecodeError:
            form.add_error("file", "The file must be a CSV saved as UTF-8 text")
        else:
            if result.refused:
                count = len(result.errors)
                form.add_error(
                    "file", f"The file has {count} problem{'s' if count != 1 else ''}. Nothing was saved"
                )
            else:
                messages.success(
                    request,
                    f"Imported {result.rows} rows: {result.added} marks added, {result.replaced} replaced, "
                    f"{result.unchanged} unchanged.",
                )
                return redirect("web:import_attendance")
    errors = result.errors if result and result.refused else []
    return render(
        request,
        "web/attendance_import.html",
        {"form": form, "row_errors": errors[:SHOW_ERRORS], "more_errors": max(len(errors) - SHOW_ERRORS, 0)},
    )
