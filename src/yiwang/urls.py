from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from yiwang.accounts.login import AdminLoginForm, LoginForm
from yiwang.api.v1 import api
from yiwang.public.views import home

admin.site.site_header = "一网 · 司法行政网上审批与电子监察平台"
admin.site.site_title = "一网管理"
admin.site.index_title = "系统管理"
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="yiwang/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("yiwang.public.urls")),
    path("my/", include("yiwang.portal.urls")),
    path("work/", include("yiwang.workbench.urls")),
    path("verify/", include("yiwang.licences.urls")),
    path("verify/", include("yiwang.documents.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
