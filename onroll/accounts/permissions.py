"""Every role and what it may do, in one place. Record scoping (which children) is `visible_to` per model.

Views and services ask `can(user, Perm.X)`; nothing else in the code compares roles.
"""

from enum import StrEnum

from .models import OrganisationKind, Role


class Perm(StrEnum):
    VIEW_REGISTER = "view_register"
    VIEW_CHILD = "view_child"
    EDIT_CHILD = "edit_child"
    VIEW_CONFIDENTIAL_ADDRESS = "view_confidential_address"
    MAKE_REFERRAL = "make_referral"
    ADD_NOTE = "add_note"
    RECORD_CONTACT = "record_contact"
    CHANGE_STATUS = "change_status"
    CLOSE_CASE = "close_case"
    VIEW_AUDIT = "view_audit"
    IMPORT_ATTENDANCE = "import_attendance"
    WORK_TASKS = "work_tasks"  # see and complete the procedure tasks for one's role
    ADMIN = "admin"


_CASEWORK = {
    Perm.VIEW_REGISTER,
    Perm.VIEW_CHILD,
    Perm.ADD_NOTE,
    Perm.RECORD_CONTACT,
    Perm.MAKE_REFERRAL,
    Perm.WORK_TASKS,
}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.SCHOOL_LEAD: frozenset(_CASEWORK | {Perm.IMPORT_ATTENDANCE}),
    Role.SPA_OFFICER: frozenset(_CASEWORK | {Perm.EDIT_CHILD, Perm.CHANGE_STATUS}),
    Role.CME_OFFICER: frozenset(
        _CASEWORK | {Perm.EDIT_CHILD, Perm.CHANGE_STATUS, Perm.CLOSE_CASE, Perm.VIEW_CONFIDENTIAL_ADDRESS}
    ),
    Role.BUSINESS_SUPPORT: frozenset(_CASEWORK | {Perm.EDIT_CHILD, Perm.VIEW_AUDIT, Perm.IMPORT_ATTENDANCE}),
    Role.PANEL_CHAIR: frozenset(
        _CASEWORK | {Perm.CHANGE_STATUS, Perm.CLOSE_CASE, Perm.VIEW_CONFIDENTIAL_ADDRESS, Perm.VIEW_AUDIT}
    ),
    Role.PARTNER: frozenset({Perm.VIEW_REGISTER, Perm.VIEW_CHILD, Perm.ADD_NOTE, Perm.MAKE_REFERRAL}),
    Role.SENIOR_LEADER: frozenset({Perm.VIEW_REGISTER, Perm.VIEW_CHILD, Perm.VIEW_AUDIT}),
    Role.SYSTEM_ADMIN: frozenset({Perm.ADMIN, Perm.VIEW_AUDIT}),
}


def can(user, perm: Perm) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return perm in ROLE_PERMISSIONS.get(user.role, frozenset())


def is_la_staff(user) -> bool:
    org = user.organisation
    return org is not None and org.kind == OrganisationKind.LA_TEAM


def is_school_staff(user) -> bool:
    org = user.organisation
    return org is not None and org.kind == OrganisationKind.SCHOOL


def is_partner(user) -> bool:
    org = user.organisation
    return org is not None and org.kind == OrganisationKind.AGENCY
