"""The rule that decides, from the enquiry log alone, whether joint reasonable enquiries have been made.

Regulation 9(1)(h) and (i) need the school **and** the LA to have jointly made reasonable efforts to find out
where the pupil is; the law does not define them, so each LA keeps a checklist (EnquiryKind). Onroll never
lets anyone tick "joint enquiries made": `joint_enquiries` derives it, pure, from the log:

- every required enquiry on the LA's list (and every enquiry made required by one of the child's flags,
  e.g. MoD advice for a service child) has been done by someone: its outcome is a reply (found, not found,
  no information, refused), not "waiting for a reply";
- both sides contributed: at least one completed enquiry by the school and one by the LA;
- the child is "not found" when joint enquiries are made and no enquiry found the child.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

DONE_OUTCOMES = frozenset({"found", "not_found", "no_information", "refused"})
SCHOOL, LA = "school", "la"


@dataclass(frozen=True)
class ListEntry:
    code: str
    label: str
    required: bool
    required_if_flag: str = ""


@dataclass(frozen=True)
class LoggedEnquiry:
    code: str
    side: str  # SCHOOL or LA
    outcome: str
    made_on: dt.date


@dataclass(frozen=True)
class JointEnquiries:
    made: bool  # joint reasonable enquiries made (required list done, both sides contributed)
    child_found: bool  # some enquiry found the child
    missing: tuple[ListEntry, ...]  # required enquiries not yet done
    school_contributed: bool
    la_contributed: bool
    done_codes: frozenset[str]

    @property
    def made_and_not_found(self) -> bool:
        return self.made and not self.child_found

    def still_needed(self) -> list[str]:
        """What is missing, in words, for the case page."""
        needed = [entry.label for entry in self.missing]
        if not self.school_contributed:
            needed.append("At least one enquiry made by the school")
        if not self.la_contributed:
            needed.append("At least one enquiry made by the LA")
        return needed


def required_entries(entries: Iterable[ListEntry], child_flags: Iterable[str]) -> list[ListEntry]:
    flags = set(child_flags)
    return [e for e in entries if e.required or (e.required_if_flag and e.required_if_flag in flags)]


def joint_enquiries(
    entries: Iterable[ListEntry], log: Iterable[LoggedEnquiry], child_flags: Iterable[str] = ()
) -> JointEnquiries:
    log = list(log)
    done = [e for e in log if e.outcome in DONE_OUTCOMES]
    done_codes = frozenset(e.code for e in done)
    missing = tuple(e for e in required_entries(entries, child_flags) if e.code not in done_codes)
    school = any(e.side == SCHOOL for e in done)
    la = any(e.side == LA for e in done)
    return JointEnquiries(
        made=not missing and school and la,
        child_found=any(e.outcome == "found" for e in log),
        missing=missing,
        school_contributed=school,
        la_contributed=la,
        done_codes=done_codes,
    )
