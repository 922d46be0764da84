"""Reasonable enquiries on a case, and removal from roll: propose, declare, decide, delete, the return.

Thin: forms parse input, `onroll.roll.services` decides. Out-of-scope children, cases and proposals, and
actions a role may not take, answer 404."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from onroll.accounts.permissions import Perm, can, is_la_staff, is_school_staff
from onroll.audit.services import record_view
from onroll.casework import queries as case_queries
from onroll.casework.models import Case
from onroll.children import queries as child_queries
from onroll.children.models import Child
from onroll.roll import conditions as c
from onroll.roll import evidence, queries, services
from onroll.roll.models import Decision, DeletionProposal, EnquiryMethod, EnquiryOutcome, ProposalStatus

from ..govuk_fields import GovDateField
from .common import apply_service_errors, render_record_form, require, today

# --- forms -------------------------------------------------------------------------------------------------


class EnquiryForm(forms.Form):
    kind = forms.ModelChoiceField(
        label="Which enquiry", queryset=None, error_messages={"required": "Select the enquiry made"}
    )
    made_on = GovDateField(label="Date of the enquiry", label_lower="the date of the enquiry")
    method = forms.ChoiceField(
        label="How",
        widget=forms.RadioSelect,
        choices=EnquiryMethod.choices,
        error_messages={"required": "Select how the enquiry was made"},
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        widget=forms.RadioSelect,
        choices=EnquiryOutcome.choices,
        error_messages={"required": "Select the outcome"},
    )
    evidence = forms.CharField(
        label="Evidence note",
        help_text="Who was asked, when, and what they said; where the record is kept",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the evidence note: who was asked, and what they said"},
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = kinds
        self.fields["kind"].empty_label = "Select an enquiry"


def _ground_label(ground) -> str:
    unverified = "" if ground.verified else " [unverified]"
    return f"{ground.code_2024}: {ground.label} (2006: {ground.code_2006}){unverified}"


class GroundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _ground_label(obj)


class ProposalForm(forms.Form):
    ground = GroundChoiceField(
        label="Ground for deletion (School Attendance (Pupil Registration) (England) Regulations 2024)",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the ground for deletion"},
    )
    proposed_date = GovDateField(label="Proposed deletion date", label_lower="the proposed deletion date")
    ehe_notice_received_on = GovDateField(
        label="Ground (f) only: date the parent's written notice was received",
        label_lower="the date the written notice was received",
        required=False,
    )
    ehe_last_day = GovDateField(
        label="Ground (f) only: last day of attendance named in the notice",
        label_lower="the last day of attendance in the notice",
        required=False,
    )
    new_address = forms.CharField(
        label="New address, if known (regulation 8(3))",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    new_address_from = GovDateField(
        label="Living at the new address from", label_lower="the date from", required=False
    )
    new_carer = forms.CharField(label="Parent the pupil will live with there", required=False, max_length=200)
    destination_school = forms.CharField(
        label="School the pupil will attend, if known (regulation 8(4))", required=False, max_length=200
    )
    destination_start = GovDateField(
        label="Start date at that school", label_lower="the start date", required=False
    )

    def __init__(self, *args, grounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ground"].queryset = grounds


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[
            (Decision.GRANTED, "Grant permission (and any consent needed)"),
            (Decision.REFUSED, "Refuse"),
        ],
        error_messages={"required": "Select whether permission is granted or refused"},
    )
    reasons = forms.CharField(
        label="Reasons",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the reasons for the decision"},
    )


class DeleteForm(forms.Form):
    deleted_on = GovDateField(label="Deletion date", label_lower="the deletion date")
    return_sent_on = GovDateField(
        label="Date the deletion return was sent to the LA",
        label_lower="the date the deletion return was sent",
        help_text="No later than the deletion date",
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is the proposal withdrawn?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the proposal is withdrawn"},
    )


class DeclarationForm(forms.Form):
    statement = forms.CharField(
        label="What the declaration rests on",
        help_text="For example: the parent's letter of 12 January, the call with the other school",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what the declaration rests on"},
    )

    def __init__(self, *args, facts, **kwargs):
        super().__init__(*args, **kwargs)
        self.facts = facts
        for i, fact in enumerate(facts):
            self.fields[f"fact_{i}"] = forms.ChoiceField(
                label=c.fact_text(fact),
                widget=forms.RadioSelect,
                choices=[("yes", "Yes"), ("no", "No")],
                required=False,
            )
        self.order_fields([f"fact_{i}" for i in range(len(facts))] + ["statement"])

    def answers(self) -> dict[str, bool]:
        return {
            fact: self.cleaned_data[f"fact_{i}"] == "yes"
            for i, fact in enumerate(self.facts)
            if self.cleaned_data.get(f"fact_{i}")
        }


# --- helpers -----------------------------------------------------------------------------------------------


def _proposal_or_404(user, proposal_id) -> DeletionProposal:
    try:
        return queries.proposal_for_page(user, proposal_id)
    except DeletionProposal.DoesNotExist:
        raise Http404("Page not found") from None


def _run(form, action):
    """Call the service; show its errors on the form. True when it succeeded."""
    try:
        action()
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return False
    except services.NotAllowed:
        raise Http404("Page not found") from None
    return True


def _proposal_form(request, proposal, form, title, button):
    return render_record_form(
        request,
        form,
        title=title,
        button=button,
        caption=f"Removal from roll: {proposal.child.full_name}",
        back_url=reverse("web:removal", args=[proposal.pk]),
        back_label="Back to the proposal",
    )


def _own_school(user, proposal) -> bool:
    org = user.organisation
    return can(user, Perm.PROPOSE_DELETION) and org is not None and proposal.school.organisation_id == org.pk


def _deciding_la(user, proposal) -> bool:
    org = user.organisation
    return can(user, Perm.DECIDE_DELETION) and org is not None and org.la_code == proposal.school.la.code


# --- enquiries ---------------------------------------------------------------------------------------------


@login_required
def record_enquiry(request, case_id):
    require(request.user, Perm.RECORD_ENQUIRY)
    try:
        case = case_queries.case_for_page(request.user, case_id)
    except Case.DoesNotExist:
        raise Http404("Page not found") from None
    form = EnquiryForm(
        request.POST or None, kinds=queries.enquiry_list(case.la), initial={"made_on": today()}
    )
    if request.method == "POST" and form.is_valid():
        if _run(form, lambda: services.record_enquiry(request.user, case, form.cleaned_data, today=today())):
            messages.success(request, "Enquiry recorded")
            return redirect(reverse("web:case", args=[case.pk]) + "#enquiries")
    return render_record_form(
        request,
        form,
        title="Record a reasonable enquiry",
        button="Record enquiry",
        caption=f"Case {case.reference}: {case.child.legal_first_name} {case.child.legal_last_name}",
        back_url=reverse("web:case", args=[case.pk]),
        back_label="Back to the case",
    )


# --- proposing ---------------------------------------------------------------------------------------------


@login_required
def propose(request, child_id):
    require(request.user, Perm.PROPOSE_DELETION)
    try:
        child = child_queries.child_for_page(request.user, child_id)
    except Child.DoesNotExist:
        raise Http404("Page not found") from None
    case = None
    if request.GET.get("case"):
        try:
            case = case_queries.visible_cases(request.user).get(pk=request.GET["case"], child=child)
        except (Case.DoesNotExist, ValidationError, ValueError):
            raise Http404("Page not found") from None
    form = ProposalForm(request.POST or None, grounds=queries.active_grounds())
    if request.method == "POST" and form.is_valid():
        made = {}

        def action():
            made["proposal"] = services.propose_deletion(
                request.user, child, form.cleaned_data, today=today(), case=case
            )

        if _run(form, action):
            messages.success(request, "Deletion proposed: Onroll has checked each condition below")
            return redirect("web:removal", made["proposal"].pk)
    return render(
        request,
        "web/roll_propose.html",
        {"form": form, "child": child, "case": case, "history": queries.history_grounds()},
    )


@login_required
def removals(request):
    require(request.user, Perm.VIEW_REGISTER)
    if not (is_la_staff(request.user) or is_school_staff(request.user)):
        raise Http404("Page not found")
    open_ones, deleted = queries.removals_list(request.user)
    return render(
        request,
        "web/roll_list.html",
        {"open_ones": open_ones, "deleted": deleted, "limit": queries.LIST_LIMIT},
    )


@login_required
def proposal_detail(request, proposal_id):
    require(request.user, Perm.VIEW_REGISTER)
    proposal = _proposal_or_404(request.user, proposal_id)
    record_view(request.user, proposal, child_id=proposal.child_id)
    on = (
        min(today(), proposal.proposed_date)
        if proposal.status == ProposalStatus.PROPOSED
        else proposal.deleted_on
    )
    verdict = evidence.check(proposal, on or today())
    is_open = proposal.status == ProposalStatus.PROPOSED
    own_school = _own_school(request.user, proposal)
    return render(
        request,
        "web/roll_proposal.html",
        {
            "proposal": proposal,
            "child": proposal.child,
            "ground": proposal.ground,
            "check": verdict,
            "blockers": verdict.blockers(proposal),
            "log": queries.enquiry_log(proposal.case) if proposal.case else None,
            "declarations": proposal.declarations.select_related("created_by"),
            "can_declare": own_school and is_open and bool(evidence.declarable_now(proposal, verdict.on)),
            "can_decide": _deciding_la(request.user, proposal) and is_open,
            "can_delete": own_school and is_open,
            "is_open": is_open,
        },
    )


@login_required
def declare(request, proposal_id):
    require(request.user, Perm.PROPOSE_DELETION)
    proposal = _proposal_or_404(request.user, proposal_id)
    if not _own_school(request.user, proposal) or proposal.status != ProposalStatus.PROPOSED:
        raise Http404("Page not found")
    on = min(today(), proposal.proposed_date)
    form = DeclarationForm(request.POST or None, facts=evidence.declarable_now(proposal, on))
    if request.method == "POST" and form.is_valid():
        statement = form.cleaned_data["statement"]
        if _run(form, lambda: services.declare(request.user, proposal, form.answers(), statement, on=on)):
            messages.success(request, "Declaration recorded")
            return redirect("web:removal", proposal.pk)
    return _proposal_form(
        request, proposal, form, "Declare what only the school can know", "Record declaration"
    )


@login_required
def decide(request, proposal_id):
    require(request.user, Perm.DECIDE_DELETION)
    proposal = _proposal_or_404(request.user, proposal_id)
    if not _deciding_la(request.user, proposal) or proposal.status != ProposalStatus.PROPOSED:
        raise Http404("Page not found")
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _run(
            form, lambda: services.decide(request.user, proposal, d["decision"], d["reasons"], today=today())
        ):
            messages.success(request, "Decision recorded")
            return redirect("web:removal", proposal.pk)
    return _proposal_form(request, proposal, form, "Grant or refuse permission to delete", "Record decision")


@login_required
def delete(request, proposal_id):
    require(request.user, Perm.PROPOSE_DELETION)
    proposal = _proposal_or_404(request.user, proposal_id)
    if not _own_school(request.user, proposal) or proposal.status != ProposalStatus.PROPOSED:
        raise Http404("Page not found")
    form = DeleteForm(request.POST or None, initial={"deleted_on": today(), "return_sent_on": today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _run(
            form,
            lambda: services.delete_from_roll(
                request.user, proposal, d["deleted_on"], d["return_sent_on"], today=today()
            ),
        ):
            messages.success(request, "Deleted from roll. The deletion return is below; the CTF task is open")
            return redirect("web:deletion_return", proposal.pk)
    return _proposal_form(request, proposal, form, "Delete from roll", "Delete from roll")


@login_required
def withdraw(request, proposal_id):
    require(request.user, Perm.PROPOSE_DELETION)
    proposal = _proposal_or_404(request.user, proposal_id)
    if not _own_school(request.user, proposal) or proposal.status != ProposalStatus.PROPOSED:
        raise Http404("Page not found")
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _run(form, lambda: services.withdraw(request.user, proposal, form.cleaned_data["reason"])):
            messages.success(request, "Proposal withdrawn: the pupil stays on roll")
            return redirect("web:removal", proposal.pk)
    return _proposal_form(request, proposal, form, "Withdraw the proposal", "Withdraw proposal")


@login_required
def deletion_return(request, proposal_id):
    require(request.user, Perm.VIEW_REGISTER)
    proposal = _proposal_or_404(request.user, proposal_id)
    record_view(request.user, proposal, child_id=proposal.child_id)
    if proposal.status == ProposalStatus.DELETED:
        content, draft = proposal.return_content, False
    else:
        content, draft = services.deletion_return_content(proposal, request.user), True
    home_education = proposal.ground.code_2024 == "9(1)(f)" and not draft
    return render(
        request,
        "web/roll_return.html",
        {
            "proposal": proposal,
            "content": content,
            "draft": draft,
            "can_add_ehe": home_education and can(request.user, Perm.EDIT_EHE_REGISTER),
        },
    )
