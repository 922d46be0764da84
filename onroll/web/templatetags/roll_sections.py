"""The removal-from-roll sections of the case and child pages: `{% load roll_sections %}` then
`{% case_enquiries case %}` or `{% child_removals child %}` (views of those pages stay unchanged)."""

from django import template

from onroll.accounts.permissions import Perm, can
from onroll.children.models import EnrolmentStatus
from onroll.roll import queries

register = template.Library()


@register.inclusion_tag("web/roll_case_section.html", takes_context=True)
def case_enquiries(context, case):
    user = context["request"].user
    return {
        "case": case,
        "log": queries.enquiry_log(case),
        "can_record": can(user, Perm.RECORD_ENQUIRY) and case.is_open,
        "can_propose": _on_my_roll(user, case.child),
        "proposals": queries.visible_proposals(user).filter(case=case).select_related("ground", "school"),
    }


@register.inclusion_tag("web/roll_child_section.html", takes_context=True)
def child_removals(context, child):
    user = context["request"].user
    return {
        "child": child,
        "can_propose": _on_my_roll(user, child),
        "proposals": queries.proposals_for_child(user, child),
    }


def _on_my_roll(user, child) -> bool:
    org = user.organisation
    return (
        can(user, Perm.PROPOSE_DELETION)
        and org is not None
        and child.enrolments.filter(school__organisation=org, status=EnrolmentStatus.ON_ROLL).exists()
    )


@register.filter
def fact_statement(name: str) -> str:
    from onroll.roll.conditions import fact_text

    return fact_text(name)
