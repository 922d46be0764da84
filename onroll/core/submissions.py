"""One record per form page. A page that creates a child hands out a one-time key (web/views/common.py); the
record it makes keeps the key (`submission_key`, unique per creator), so a double click or a re-sent POST
finds the first record instead of making a second child."""

from django.db import IntegrityError


class AlreadySaved(Exception):
    """This user already saved the page that carried this key. Nothing new was written; `record` is what the
    first POST made."""

    def __init__(self, record):
        super().__init__(f"{record} was already saved")
        self.record = record


def saved_with(model, user, key: str):
    """The `model` record this user already made from the page that carried `key`, if any."""
    if not key:
        return None
    return model.objects.filter(created_by=user, submission_key=key).first()


def once(model, user, key: str, make):
    """`make()`, an atomic function that saves a `model` record with `key`, unless this user already saved
    one with it: then AlreadySaved. A blank key is no guard (callers with no page, such as the demo)."""
    if earlier := saved_with(model, user, key):
        raise AlreadySaved(earlier)
    try:
        return make()
    except IntegrityError:
        # Both POSTs got past the check above at once; the unique key stopped the later one at its insert,
        # and leaving make()'s atomic block rolled back everything it had written.
        if earlier := saved_with(model, user, key):
            raise AlreadySaved(earlier) from None
        raise
