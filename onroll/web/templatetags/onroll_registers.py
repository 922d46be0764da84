"""The child page's section on exclusions and the EHE and not-in-school registers (one include there)."""

from django import template

from onroll.accounts.permissions import Perm, can
from onroll.casework.outcomes import describe
from onroll.registers import queries, services

register = template.Library()


@register.inclusion_tag("web/registers_child_section.html", takes_context=True)
def child_registers(context, child):
    user = context["request"].user
    la = queries.user_la(user)
    own_la = la is not None and la.pk == child.la_id
    sees_exclusions = can(user, Perm.RECORD_EXCLUSION) or can(user, Perm.VIEW_EHE_REGISTER)
    cnis_on = own_la and can(user, Perm.VIEW_CNIS_REGISTER) and services.cnis_enabled(la)
    exclusions = child.exclusions.select_related("school", "provision_task") if sees_exclusions else None
    cnis = queries.visible_cnis(user).filter(child=child, ended_on__isnull=True).first() if cnis_on else None
    return {
        "child": child,
        "exclusions": exclusions,
        "can_record_exclusion": can(user, Perm.RECORD_EXCLUSION),
        "show_ehe": own_la and can(user, Perm.VIEW_EHE_REGISTER),
        "ehe": queries.visible_ehe(user).filter(child=child, ended_on__isnull=True).first(),
        "can_add_ehe": own_la and can(user, Perm.EDIT_EHE_REGISTER),
        "show_cnis": cnis_on,
        "cnis": cnis,
        "can_add_cnis": cnis_on and can(user, Perm.EDIT_CNIS_REGISTER),
    }


@register.inclusion_tag("web/close_case_details.html")
def case_outcome_details(case):
    """The details recorded when the case closed with its current outcome (none for older closings)."""
    closing = case.outcomes.filter(outcome=case.outcome, closed_on=case.date_closed).first()
    return {"rows": describe(closing) if closing else []}
