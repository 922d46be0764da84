"""Optimistic locking for edit forms: a form carries the record's modified_at, and a save that finds a
newer one refuses rather than overwriting someone else's change."""

from django.core.exceptions import ValidationError


class StaleRecord(ValidationError):
    """Someone else changed the record since the form was opened."""


def lock_unchanged(model, pk, expected_modified_at, what: str):
    """Lock the row; refuse if it changed since `expected_modified_at` (None skips the check)."""
    row = model.objects.select_for_update().get(pk=pk)
    if expected_modified_at is not None and row.modified_at != expected_modified_at:
        raise StaleRecord(
            f"Someone else changed this {what} while you were working on it. Check it, then try again."
        )
    return row
