from django.contrib import admin
from django.urls import path

from yiwang.api.v1 import api
from yiwang.public.views import home

admin.site.site_header = "一网 · 司法行政网上审批与电子监察平台"
admin.site.site_title = "一网管理"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
