"""Included by onroll/web/urls.py without a namespace of its own, so the names are `web:new_pupil_...`."""

from django.urls import path

from . import views

urlpatterns = [
    path("new-pupil-returns/", views.return_list, name="new_pupil_returns"),
    path("new-pupil-returns/new/", views.new_return, name="new_pupil_return_new"),
    path("new-pupil-returns/<uuid:return_id>/", views.return_detail, name="new_pupil_return"),
]
