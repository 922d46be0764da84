"""Which details each outcome of a closed case needs, and the checks on them (a pure table and function).

Sources: the CME guidance's good-practice closure reasons (placed on roll, EHE, moved to another LA with that
LA informed, moved abroad confirmed, lost-pupil CTF uploaded; reference/cme_guidance.md section 3) and the
issue's list (school attendance order, alternative provision, child died).
"""

import datetime as dt
from dataclasses import dataclass

from onroll.core.dates import long_date

from .models import Outcome


@dataclass(frozen=True)
class Detail:
    name: str  # a CaseOutcome field
    missing: str  # the GOV.UK error when it is left out
    required: bool = True


OUTCOME_DETAILS: dict[str, tuple[Detail, ...]] = {
    Outcome.BACK_ON_ROLL: (
        Detail("school", "Select the school the child is on the roll of"),
        Detail("on_roll_from", "Enter the date the child went on the school's roll"),
    ),
    Outcome.EHE: (Detail("review_due", "Enter the date the suitability review is due"),),
    Outcome.MOVED_LA: (
        Detail("other_la", "Select the local authority the child moved to"),
        Detail("confirmed_how", "Select how the move was confirmed"),
        Detail("confirmed_on", "Enter the date the move was confirmed"),
    ),
    Outcome.MOVED_ABROAD: (
        Detail("country", "", required=False),
        Detail("confirmed_how", "Select how the move abroad was confirmed"),
    ),
    Outcome.LOST_CTF: (Detail("ctf_uploaded_on", "Enter the date the lost CTF was uploaded"),),
    Outcome.SAO: (Detail("sao_served_on", "Enter the date the school attendance order was served"),),
    Outcome.ALTERNATIVE_PROVISION: (
        Detail("provision", "Enter the alternative provision the child attends"),
        Detail("hours_per_week", "Enter the hours of provision a week"),
    ),
    Outcome.DIED: (Detail("died_on", "Enter the date the child died"),),
    Outcome.RISK_REDUCED: (),
    Outcome.NOT_CSA: (),
}

# Dates that record something already done, so cannot be in the future.
PAST_DATES = {
    "on_roll_from": "The date the child went on the roll",
    "confirmed_on": "The date the move was confirmed",
    "ctf_uploaded_on": "The date the lost CTF was uploaded",
    "sao_served_on": "The date the school attendance order was served",
    "died_on": "The date the child died",
}


def check_details(outcome: str, details: dict, *, case, date_closed: dt.date | None, today: dt.date):
    """The outcome's own details from `details` (others dropped), and the errors keyed by field name."""
    wanted = OUTCOME_DETAILS.get(outcome, ())
    kept = {d.name: details.get(d.name) for d in wanted}
    errors = {}
    for detail in wanted:
        value = kept[detail.name]
        if isinstance(value, str):
            value = kept[detail.name] = value.strip()
        if detail.required and value in (None, ""):
            errors[detail.name] = detail.missing
    for name, label in PAST_DATES.items():
        if name in kept and name not in errors and kept[name] and kept[name] > today:
            errors[name] = f"{label} must be today or in the past"
    review_due = kept.get("review_due")
    if review_due and date_closed and review_due <= date_closed:
        errors["review_due"] = (
            f"The suitability review must be due after the case closes ({long_date(date_closed)})"
        )
    other_la = kept.get("other_la")
    if other_la is not None and other_la.pk == case.la_id:
        errors["other_la"] = f"Select a local authority other than {case.la.name}, which holds this case"
    hours = kept.get("hours_per_week")
    if hours is not None and not 0 < hours <= 60:
        errors["hours_per_week"] = "Hours a week must be more than 0 and no more than 60"
    return kept, errors


LABELS = {
    "school": "School",
    "on_roll_from": "On the school's roll from",
    "review_due": "Suitability review due",
    "other_la": "Moved to",
    "confirmed_how": "How it was confirmed",
    "confirmed_on": "Date confirmed",
    "country": "Country",
    "ctf_uploaded_on": "Lost CTF uploaded",
    "sao_served_on": "School attendance order served",
    "provision": "Alternative provision",
    "hours_per_week": "Hours a week",
    "died_on": "Date of death",
}


def describe(closing) -> list[tuple[str, str]]:
    """A closing's details as (label, value) rows for the case page, in the outcome's own order."""
    rows = []
    for detail in OUTCOME_DETAILS.get(closing.outcome, ()):
        value = getattr(closing, detail.name)
        if value in (None, ""):
            continue
        if detail.name == "confirmed_how":
            value = closing.get_confirmed_how_display()
        elif isinstance(value, dt.date):
            value = long_date(value)
        rows.append((LABELS[detail.name], str(value)))
    return rows
