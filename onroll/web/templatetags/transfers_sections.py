"""The CTF and moves sections of the child and case pages: `{% load transfers_sections %}` then
`{% child_ctfs child %}` or `{% case_moves case %}` (the views of those pages stay unchanged)."""

from django import template

from onroll.accounts.permissions import Perm, can
from onroll.transfers import queries

register = template.Library()


@register.inclusion_tag("web/transfers_child_section.html", takes_context=True)
def child_ctfs(context, child):
    user = context["request"].user
    can_send = can(user, Perm.SEND_CTF)
    return {
        "child": child,
        "can_send": can_send,
        "files": queries.ctf_files_of_child(user, child)[:5] if can_send else [],
    }


@register.inclusion_tag("web/transfers_case_section.html", takes_context=True)
def case_moves(context, case):
    user = context["request"].user
    can_track = can(user, Perm.TRACK_MOVES)
    return {"case": case, "can_track": can_track, "moves": queries.moves_of(case) if can_track else []}
