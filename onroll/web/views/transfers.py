"""Common Transfer Files (import, produce, download) and children moving across LA boundaries.

Thin: every change is a call to `onroll.transfers.services`; every read goes through its queries."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from onroll.accounts.permissions import Perm, is_school_staff
from onroll.audit.services import record_view
from onroll.casework.models import Category, Reason
from onroll.children.models import Child, Sex
from onroll.children.queries import addresses_for, enrolments_of, visible_children
from onroll.schools.models import LocalAuthority
from onroll.transfers import ctf_held, queries, services
from onroll.transfers.ctf_import import apply_ctf, check_ctf
from onroll.transfers.known import NEW_CHILD, search_for_notice
from onroll.transfers.models import (
    ArrivalNotice,
    ArrivalStatus,
    ConfirmedHow,
    CtfFile,
    DestinationKind,
    HeldCtf,
    Move,
    MoveDestination,
    MoveStatus,
)

from ..govuk_fields import GovDateField
from .cases import _case_or_404
from .children import _child_or_404
from .common import render_record_form, require, save_from_form, today

SHOW_PROBLEMS = 500
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def _other_las(la_code: str):
    return LocalAuthority.objects.exclude(code=la_code).order_by("name")


# --- Import ---------------------------------------------------------------------------------------


class CtfUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a CTF (XML file)",
        help_text="The file as it came from School to School (s2s), for example 9912345_CTF_9901234_001.XML",
        error_messages={"required": "Choose a CTF file to upload"},
    )
    joined_on = GovDateField(
        label="Date the pupils joined your school",
        label_lower="the date the pupils joined",
        required=False,
        help_text="Schools: each pupil is put on your roll from this date. LA staff leave it blank.",
    )


@login_required
def import_ctf(request):
    require(request.user, Perm.IMPORT_CTF)
    posted = request.method == "POST"
    form = CtfUploadForm(request.POST if posted else None, request.FILES if posted else None)
    result = None
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        joined_on = form.cleaned_data["joined_on"]
        if is_school_staff(request.user) and joined_on is None:
            form.add_error("joined_on", "Enter the date the pupils joined your school")
        elif upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", "The file is larger than 200 MB: is it a CTF?")
        else:
            data = upload.read()
            checked = check_ctf(request.user, data, upload.name, today=today(), joined_on=joined_on)
            result = apply_ctf(request.user, checked, choices=None)
            if result.review:
                held = ctf_held.hold_ctf(request.user, data, checked)
                return redirect("web:ctf_review", held_id=held.pk)
            if result.refused:
                count = len(result.problems)
                form.add_error(
                    "file", f"The file has {count} problem{'s' if count != 1 else ''}. Nothing was imported"
                )
            else:
                messages.success(request, _imported_message(result))
                return redirect("web:import_ctf")
    return _import_page(request, form, result.problems if result and result.refused else [])


def _imported_message(result) -> str:
    if result.already_imported_on:
        return (
            f"{result.file_name} was already imported on {result.already_imported_on:%-d %B %Y}: "
            "nothing changed."
        )
    return (
        f"Imported {result.pupils} pupil{'s' if result.pupils != 1 else ''} from {result.file_name}: "
        f"{result.created} new, {result.updated} updated, {result.unchanged} unchanged."
    )


def _import_page(request, form, problems):
    return render(
        request,
        "web/transfers_import.html",
        {
            "form": form,
            "problems": problems[:SHOW_PROBLEMS],
            "more_problems": max(len(problems) - SHOW_PROBLEMS, 0),
            "recent": queries.visible_ctf_files(request.user).filter(direction="received")[:10],
            "held": ctf_held.held_by(request.user)[:20],
        },
    )


# --- Review of a held import: pupils who may be children Onroll knows --------------------------------


def _held_or_404(user, held_id) -> HeldCtf:
    try:
        return ctf_held.held_by(user).get(pk=held_id)
    except HeldCtf.DoesNotExist:
        raise Http404("Page not found") from None


def _posted_choices(post) -> dict[int, str]:
    """pupil number → the radio chosen for it ("pupil-3": child id or "new")."""
    return {int(k[6:]): v for k, v in post.items() if k.startswith("pupil-") and k[6:].isdigit()}


@login_required
def ctf_review(request, held_id):
    require(request.user, Perm.IMPORT_CTF)
    held = _held_or_404(request.user, held_id)
    if request.method == "POST":
        try:
            result = ctf_held.apply_held(request.user, held, _posted_choices(request.POST), today=today())
        except HeldCtf.DoesNotExist:
            raise Http404("Page not found") from None
        review, problems = result.review, result.problems
        if not review and not problems:
            messages.success(request, _imported_message(result))
            return redirect("web:import_ctf")
    else:
        checked = ctf_held.review_held(request.user, held, today=today())
        review, problems = ctf_held.pupils_to_review(checked), checked.result.problems
        if checked.result.already_imported_on:
            messages.success(request, _imported_message(checked.result))
    return render(
        request,
        "web/transfers_ctf_review.html",
        {
            "held": held,
            "review": review,
            "errors": [r for r in review if r.error],
            "problems": problems[:SHOW_PROBLEMS],
            "new_child": NEW_CHILD,
        },
    )


@login_required
@require_POST
def ctf_abandon(request, held_id):
    require(request.user, Perm.IMPORT_CTF)
    held = _held_or_404(request.user, held_id)
    try:
        ctf_held.abandon_held(request.user, held)
    except HeldCtf.DoesNotExist:
        raise Http404("Page not found") from None
    messages.success(request, f"{held.file_name} was not imported: nothing changed.")
    return redirect("web:import_ctf")


# --- Produce and download -------------------------------------------------------------------------


class ProduceCtfForm(forms.Form):
    destination_kind = forms.ChoiceField(
        label="Where is the pupil going?",
        widget=forms.RadioSelect,
        choices=DestinationKind.choices,
        error_messages={"required": "Choose where the pupil is going"},
    )
    la_number = forms.CharField(
        label="LA number (three digits)",
        required=False,
        max_length=3,
        help_text="For a named school or an LA, for example 990",
    )
    estab_number = forms.CharField(
        label="Establishment number (four digits)",
        required=False,
        max_length=4,
        help_text="For a named school only, for example 2001",
    )


@login_required
def child_ctf(request, child_id):
    require(request.user, Perm.SEND_CTF)
    child = _child_or_404(request.user, child_id)
    form = ProduceCtfForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            ctf = services.produce_ctf(
                request.user,
                child,
                d["destination_kind"],
                d["la_number"],
                d["estab_number"],
                now=timezone.localtime(),
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, f"CTF {ctf.file_name} produced: download it and upload it to s2s.")
            return redirect("web:child_ctf", child_id=child.pk)
    return render(
        request,
        "web/transfers_child_ctf.html",
        {
            "child": child,
            "form": form,
            "files": queries.ctf_files_of_child(request.user, child),
            "history": queries.ctf_history_of_child(request.user, child),
        },
    )


@login_required
def download_ctf(request, ctf_id):
    require(request.user, Perm.SEND_CTF)
    try:
        ctf = queries.ctf_to_download(request.user, ctf_id)
    except CtfFile.DoesNotExist:
        raise Http404("Page not found") from None
    child_id = ctf.pupil_rows.values_list("child_id", flat=True).first()
    record_view(request.user, ctf, child_id=child_id)
    response = HttpResponse(ctf.content.encode("utf-8"), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{ctf.file_name}"'
    return response


# --- Moves to another LA or abroad ----------------------------------------------------------------


class MoveForm(forms.Form):
    destination = forms.ChoiceField(
        label="Where has the child moved to?",
        widget=forms.RadioSelect,
        choices=MoveDestination.choices,
        error_messages={"required": "Choose where the child has moved to"},
    )
    to_la = forms.ModelChoiceField(label="New LA", queryset=LocalAuthority.objects.none(), required=False)
    to_la_name = forms.CharField(label="New LA, if it is not in the list", required=False, max_length=120)
    country = forms.CharField(label="Country, if abroad", required=False, max_length=80)
    moved_on = GovDateField(
        label="Date the child moved (or was first known to have moved)", label_lower="the date"
    )
    new_address = forms.CharField(
        label="New address, if known", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    new_school = forms.CharField(label="New school, if known", required=False, max_length=200)
    how_known = forms.CharField(
        label="How is the move known?",
        help_text="Who told you and what was checked (parent, previous school, housing, s2s)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,  # the service says what is missing, together with everything else
    )
    notes = forms.CharField(
        label="Anything else known", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, la_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_la"].queryset = _other_las(la_code)


class NotifiedForm(forms.Form):
    notified_on = GovDateField(label="Date the notification was sent", label_lower="the date it was sent")


class ConfirmMoveForm(forms.Form):
    confirmed_how = forms.ChoiceField(
        label="How was the child confirmed?",
        widget=forms.RadioSelect,
        choices=ConfirmedHow.choices,
        error_messages={"required": "Choose how the child was confirmed"},
    )
    confirmed_school = forms.CharField(label="School, if on a roll", required=False, max_length=200)
    confirmed_on = GovDateField(label="Date it was confirmed", label_lower="the date it was confirmed")
    confirmed_by_name = forms.CharField(
        label="Confirmed by (name and organisation)",
        max_length=200,
        error_messages={"required": "Enter who confirmed it (name and organisation)"},
    )
    confirmation_evidence = forms.CharField(
        label="What was confirmed, and how",
        help_text="For example: email from the LA's CME officer; the school confirmed the child is on roll",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what was confirmed and how (email, phone call, s2s record)"},
    )


def _move_or_404(user, move_id) -> Move:
    try:
        return queries.move_for(user, move_id)
    except Move.DoesNotExist:
        raise Http404("Page not found") from None


@login_required
def case_moves(request, case_id):
    require(request.user, Perm.TRACK_MOVES)
    case = _case_or_404(request.user, case_id)
    return render(
        request,
        "web/transfers_moves.html",
        {"case": case, "child": case.child, "moves": queries.moves_of(case), "today": today()},
    )


def _move_form_page(request, case, form, title, button):
    return render_record_form(
        request,
        form,
        title=title,
        button=button,
        caption=f"Case {case.reference}: {case.child.full_name}",
        back_url=reverse("web:case_moves", args=[case.pk]),
        back_label="Back to moves",
    )


@login_required
def record_move(request, case_id):
    require(request.user, Perm.TRACK_MOVES)
    case = _case_or_404(request.user, case_id)
    form = MoveForm(request.POST or None, la_code=case.la.code)
    done = save_from_form(
        request,
        form,
        lambda d: services.record_move(request.user, case, d, today=today()),
        "Move recorded: print the notification and send it to the new LA",
        reverse("web:case_moves", args=[case.pk]),
    )
    return done or _move_form_page(
        request, case, form, "Record a move to another LA or abroad", "Record move"
    )


@login_required
def move_notification(request, move_id):
    require(request.user, Perm.TRACK_MOVES)
    move = _move_or_404(request.user, move_id)
    case, child = move.case, move.case.child
    record_view(request.user, move, child_id=child.pk)
    return render(
        request,
        "web/transfers_notification.html",
        {
            "move": move,
            "case": case,
            "child": child,
            "addresses": addresses_for(request.user, child).filter(confidential=False),
            "contacts": child.contacts.all(),
            "enrolments": enrolments_of(child),
            "former_names": child.names.filter(kind="former"),
            "officer": request.user,
            "today": today(),
        },
    )


@login_required
def move_notified(request, move_id):
    require(request.user, Perm.TRACK_MOVES)
    move = _move_or_404(request.user, move_id)
    form = NotifiedForm(request.POST or None, initial={"notified_on": today()})
    done = save_from_form(
        request,
        form,
        lambda d: services.record_notified(request.user, move, d["notified_on"], today=today()),
        "Date of notification recorded",
        reverse("web:case_moves", args=[move.case_id]),
    )
    return done or _move_form_page(request, move.case, form, f"Record that {move.where} was notified", "Save")


@login_required
def confirm_move(request, move_id):
    require(request.user, Perm.TRACK_MOVES)
    move = _move_or_404(request.user, move_id)
    if move.status == MoveStatus.CONFIRMED:
        raise Http404("Page not found")
    form = ConfirmMoveForm(request.POST or None, initial={"confirmed_on": today()})
    done = save_from_form(
        request,
        form,
        lambda d: services.confirm_move(request.user, move, d, today=today()),
        "Confirmation recorded: the task is done. Close the case with its outcome when ready.",
        reverse("web:case_moves", args=[move.case_id]),
    )
    title = f"Confirm the child is on a roll or in suitable education ({move.where})"
    return done or _move_form_page(request, move.case, form, title, "Record confirmation")


# --- Notifications received from other LAs --------------------------------------------------------


class ArrivalForm(forms.Form):
    from_la = forms.ModelChoiceField(label="From LA", queryset=LocalAuthority.objects.none(), required=False)
    from_la_name = forms.CharField(label="From LA, if it is not in the list", required=False, max_length=120)
    received_on = GovDateField(label="Date received", label_lower="the date received")
    sender = forms.CharField(
        label="Who sent it (name, team, phone or email)",
        max_length=300,
        error_messages={"required": "Enter who sent the notification"},
    )
    first_name = forms.CharField(
        label="Child's first name",
        max_length=100,
        error_messages={"required": "Enter the child's first name"},
    )
    last_name = forms.CharField(
        label="Child's last name", max_length=100, error_messages={"required": "Enter the child's last name"}
    )
    date_of_birth = GovDateField(label="Date of birth", label_lower="the date of birth")
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, widget=forms.RadioSelect, initial=Sex.UNKNOWN)
    upn = forms.CharField(label="UPN, if known", required=False, max_length=20)
    address = forms.CharField(
        label="Address in this LA, if known", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    previous_school = forms.CharField(label="Previous school", required=False, max_length=200)
    details = forms.CharField(
        label="What the other LA told us", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, la_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_la"].queryset = _other_las(la_code)


class ArrivalCaseForm(forms.Form):
    category = forms.ChoiceField(
        label="Category",
        widget=forms.RadioSelect,
        choices=[(c, label) for c, label in Category.choices if c != Category.CLOSED],
        initial=Category.MISSING_NOT_LOCATED,
    )
    primary_reason = forms.ModelChoiceField(
        label="Main reason",
        queryset=Reason.objects.all(),
        error_messages={"required": "Choose the main reason"},
    )


def _arrival_or_404(user, notice_id) -> ArrivalNotice:
    try:
        return queries.arrival_for(user, notice_id)
    except ArrivalNotice.DoesNotExist:
        raise Http404("Page not found") from None


def _users_la_code(user) -> str:
    la = queries.users_la(user)
    if la is None:
        raise Http404("Page not found")
    return la.code


@login_required
def arrivals(request):
    require(request.user, Perm.TRACK_MOVES)
    _users_la_code(request.user)
    show = "all" if request.GET.get("show") == "all" else "open"
    return render(
        request,
        "web/transfers_arrivals.html",
        {"notices": queries.arrivals_list(request.user, show=show)[:200], "show": show},
    )


@login_required
def new_arrival(request):
    require(request.user, Perm.TRACK_MOVES)
    form = ArrivalForm(
        request.POST or None, la_code=_users_la_code(request.user), initial={"received_on": today()}
    )
    done = save_from_form(
        request,
        form,
        lambda d: services.record_arrival(request.user, d, today=today()),
        "Notification recorded",
        reverse("web:arrivals"),
    )
    return done or render_record_form(
        request,
        form,
        title="Record a notification from another LA",
        button="Record notification",
        caption="Children arriving from other LAs",
        back_url=reverse("web:arrivals"),
        back_label="Back to notifications",
    )


@login_required
def arrival(request, notice_id):
    require(request.user, Perm.TRACK_MOVES)
    notice = _arrival_or_404(request.user, notice_id)
    return _arrival_page(request, notice)


def _arrival_page(request, notice, choice_error: str = ""):
    # Search before create: children this officer may see who may be the notified child, with reasons.
    found = search_for_notice(request.user, notice) if notice.child_id is None else None
    return render(
        request,
        "web/transfers_arrival.html",
        {
            "notice": notice,
            "found": found,
            "choice_error": choice_error,
            "new_child": NEW_CHILD,
            "can_open_case": notice.status == ArrivalStatus.LINKED,
        },
    )


@login_required
@require_POST
def link_arrival(request, notice_id):
    require(request.user, Perm.TRACK_MOVES)
    notice = _arrival_or_404(request.user, notice_id)
    choice = request.POST.get("match_choice", "")
    child = None
    if choice and choice != NEW_CHILD:
        try:
            child = visible_children(request.user).get(pk=choice)
        except (Child.DoesNotExist, ValidationError):
            raise Http404("Page not found") from None
    elif not choice:
        return _arrival_page(request, notice, "Select one of the children shown, or that this is a new child")
    try:
        services.link_arrival(request.user, notice, child, today=today())
    except ValidationError as exc:
        return _arrival_page(request, notice, " ".join(exc.messages))
    messages.success(request, "Notification linked to the child's record")
    return redirect("web:arrival", notice_id=notice.pk)


@login_required
def arrival_case(request, notice_id):
    require(request.user, Perm.TRACK_MOVES)
    notice = _arrival_or_404(request.user, notice_id)
    if notice.status != ArrivalStatus.LINKED:
        raise Http404("Page not found")
    form = ArrivalCaseForm(request.POST or None)
    opened = {}

    def action(d):
        opened["case"] = services.open_case_for_arrival(request.user, notice, d, today=today())

    done = save_from_form(request, form, action, "Case opened", reverse("web:arrival", args=[notice.pk]))
    if done and "case" in opened:
        return redirect("web:case", case_id=opened["case"].pk)
    return done or render_record_form(
        request,
        form,
        title="Open a case for this child",
        button="Open case",
        caption=str(notice),
        back_url=reverse("web:arrival", args=[notice.pk]),
        back_label="Back to the notification",
    )
