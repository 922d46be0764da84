"""The API token pages (under the user's account) and a JSON 404 for any other address under /api/.
The API itself is mounted at /api/v1/ in onroll/urls.py, before these."""

from django.urls import path, re_path

from . import views

app_name = "api"

urlpatterns = [
    path("account/api-tokens/", views.api_tokens, name="tokens"),
    path("account/api-tokens/<uuid:token_id>/revoke/", views.revoke, name="revoke_token"),
    re_path(r"^api/", views.api_not_found),
]
