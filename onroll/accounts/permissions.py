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
    RECORD_ENQUIRY = "record_enquiry"  # log a reasonable enquiry on a case (as the school or the LA)
    PROPOSE_DELETION = "propose_deletion"  # a school proposes and makes a deletion from its own roll
    DECIDE_DELETION = "decide_deletion"  # the LA grants or refuses permission to delete
    IMPORT_CTF = "import_ctf"  # upload a common transfer file into children and roll history
    SEND_CTF = "send_ctf"  # produce a common transfer file for a pupil who is leaving
    TRACK_MOVES = "track_moves"  # children moving to or arriving from other LAs
    RECORD_EXCLUSION = "record_exclusion"  # a suspension or permanent exclusion on the child page
    VIEW_EHE_REGISTER = "view_ehe_register"  # the LA's elective home education register
    EDIT_EHE_REGISTER = "edit_ehe_register"  # add children, record suitability reviews
    VIEW_CNIS_REGISTER = "view_cnis_register"  # register of children not in school (when the LA turns it on)
    EDIT_CNIS_REGISTER = "edit_cnis_register"
    REVIEW_DUPLICATES = "review_duplicates"  # the likely-duplicates list: merge, undo, "not the same child"
    MAKE_NEW_PUPIL_RETURN = "make_new_pupil_return"  # a school tells the LA about a pupil it has admitted
    VIEW_NEW_PUPIL_RETURNS = "view_new_pupil_returns"  # the LA's list of returns and the children they found
    ADMIN = "admin"


_CASEWORK = {
    Perm.VIEW_REGISTER,
    Perm.VIEW_CHILD,
    Perm.ADD_NOTE,
    Perm.RECORD_CONTACT,
    Perm.MAKE_REFERRAL,
    Perm.WORK_TASKS,
}

_TRANSFERS = {
    Role.SCHOOL_LEAD: {Perm.IMPORT_CTF, Perm.SEND_CTF},
    Role.SPA_OFFICER: {Perm.TRACK_MOVES},
    Role.CME_OFFICER: {Perm.IMPORT_CTF, Perm.SEND_CTF, Perm.TRACK_MOVES},
    Role.BUSINESS_SUPPORT: {Perm.IMPORT_CTF, Perm.SEND_CTF, Perm.TRACK_MOVES},
}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.SCHOOL_LEAD: frozenset(
        _CASEWORK | {Perm.IMPORT_ATTENDANCE} | {Perm.RECORD_ENQUIRY, Perm.PROPOSE_DELETION}
    ),
    Role.SPA_OFFICER: frozenset(_CASEWORK | {Perm.EDIT_CHILD, Perm.CHANGE_STATUS} | {Perm.RECORD_ENQUIRY}),
    Role.CME_OFFICER: frozenset(
        _CASEWORK
        | {Perm.EDIT_CHILD, Perm.CHANGE_STATUS, Perm.CLOSE_CASE, Perm.VIEW_CONFIDENTIAL_ADDRESS}
        | {Perm.RECORD_ENQUIRY, Perm.DECIDE_DELETION}
    ),
    Role.BUSINESS_SUPPORT: frozenset(
        _CASEWORK | {Perm.EDIT_CHILD, Perm.VIEW_AUDIT, Perm.IMPORT_ATTENDANCE} | {Perm.RECORD_ENQUIRY}
    ),
    Role.PANEL_CHAIR: frozenset(
        _CASEWORK | {Perm.CHANGE_STATUS, Perm.CLOSE_CASE, Perm.VIEW_CONFIDENTIAL_ADDRESS, Perm.VIEW_AUDIT}
    ),
    Role.PARTNER: frozenset({Perm.VIEW_REGISTER, Perm.VIEW_CHILD, Perm.ADD_NOTE, Perm.MAKE_REFERRAL}),
    Role.SENIOR_LEADER: frozenset({Perm.VIEW_REGISTER, Perm.VIEW_CHILD, Perm.VIEW_AUDIT}),
    Role.SYSTEM_ADMIN: frozenset({Perm.ADMIN, Perm.VIEW_AUDIT}),
}
# CTFs and moves between LAs (onroll/transfers), added to the roles above.
ROLE_PERMISSIONS.update({role: ROLE_PERMISSIONS[role] | perms for role, perms in _TRANSFERS.items()})


# Exclusions and the EHE and not-in-school registers (onroll/casework, onroll/registers), added likewise.
_REGISTER_VIEW = {Perm.VIEW_EHE_REGISTER, Perm.VIEW_CNIS_REGISTER}
_REGISTER_EDIT = _REGISTER_VIEW | {Perm.EDIT_EHE_REGISTER, Perm.EDIT_CNIS_REGISTER}
_REGISTERS = {
    Role.SCHOOL_LEAD: {Perm.RECORD_EXCLUSION},
    Role.SPA_OFFICER: {Perm.RECORD_EXCLUSION} | _REGISTER_VIEW,
    Role.CME_OFFICER: {Perm.RECORD_EXCLUSION} | _REGISTER_EDIT,
    Role.BUSINESS_SUPPORT: {Perm.RECORD_EXCLUSION} | _REGISTER_EDIT,
    Role.PANEL_CHAIR: _REGISTER_VIEW,
    Role.SENIOR_LEADER: _REGISTER_VIEW,
}
ROLE_PERMISSIONS.update({role: ROLE_PERMISSIONS[role] | perms for role, perms in _REGISTERS.items()})

# Likely duplicate children (onroll/matching): business support keeps the register tidy.
ROLE_PERMISSIONS[Role.BUSINESS_SUPPORT] |= {Perm.REVIEW_DUPLICATES}

# New-pupil returns (onroll/newpupils): the school that proposes deletions from its roll also reports
# admissions to it; the LA staff who look for missing children read them.
ROLE_PERMISSIONS[Role.SCHOOL_LEAD] |= {Perm.MAKE_NEW_PUPIL_RETURN}
for _role in (Role.SPA_OFFICER, Role.CME_OFFICER, Role.BUSINESS_SUPPORT):
    ROLE_PERMISSIONS[_role] |= {Perm.VIEW_NEW_PUPIL_RETURNS}


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
