from django.contrib import admin
from django.urls import include, path

from onroll.api.endpoints import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("onroll.api.urls")),
    path("", include("onroll.web.urls")),
]
