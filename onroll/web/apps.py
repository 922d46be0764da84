from django.apps import AppConfig


def _audit_sign_in(sender, request, user, **kwargs):
    from onroll.audit.models import Action
    from onroll.audit.services import record

    record(user, Action.SIGN_IN, user, summary="Signed in")


def _audit_sign_out(sender, request, user, **kwargs):
    from onroll.audit.models import Action
    from onroll.audit.services import record

    if user is not None:
        record(user, Action.SIGN_OUT, user, summary="Signed out")


class WebConfig(AppConfig):
    name = "onroll.web"
    label = "web"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        user_logged_in.connect(_audit_sign_in, dispatch_uid="onroll_audit_sign_in")
        user_logged_out.connect(_audit_sign_out, dispatch_uid="onroll_audit_sign_out")
