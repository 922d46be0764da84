from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect

from onroll.accounts.permissions import Perm, can


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is inactive.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["password"].widget = forms.PasswordInput()


class SignInView(auth_views.LoginView):
    template_name = "web/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


def home(request):
    user = request.user
    if not user.is_authenticated:
        return redirect("web:login")
    if can(user, Perm.VIEW_REGISTER):
        return redirect("web:my_cases")
    if can(user, Perm.ADMIN):
        return redirect("admin:index")
    return redirect("web:login")
