from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from eduquality import views

admin.site.site_header = "教育教学质量提升工程管理平台 · 后台"
admin.site.site_title = "质量提升平台后台"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("jobs/<uuid:pk>/", views.job_detail, name="job-detail"),
    path("jobs/<uuid:pk>/status/", views.job_status, name="job-status"),
    path("jobs/<uuid:pk>/download/", views.job_download, name="job-download"),
    path("jobs/<uuid:pk>/retry/", views.job_retry, name="job-retry"),
    path("access-log/", views.access_log, name="access-log"),
    path("healthz/", views.healthz, name="healthz"),
    path(
        "favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}img/favicon.svg", permanent=True), name="favicon"
    ),
    path("schools/", include("schools.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("inspections/", include("inspections.urls")),
    path("reports/", include("reports.urls")),
    path("awards/", include("awards.urls")),
    path("research/", include("research.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]
