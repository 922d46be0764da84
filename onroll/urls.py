from django.contrib import admin
from django.urls import include, path

from onroll.api.endpoints import api_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api_urls()),
    path("", include("onroll.api.urls")),
    path("", include("onroll.web.urls")),
]
