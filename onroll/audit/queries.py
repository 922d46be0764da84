from .models import Action, AuditEvent


def views_of_child(child_id, limit: int = 200):
    return AuditEvent.objects.filter(child_id=child_id, action=Action.VIEW).select_related("user")[:limit]


def history_of_child(child_id, limit: int = 200):
    return AuditEvent.objects.filter(child_id=child_id).select_related("user")[:limit]
