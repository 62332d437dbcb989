"""URL names of the reports app; the permission matrix (tests/reports/matrix.py) covers every one."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report-list"),
    path("export/", views.report_export, name="report-export"),
    path("new/", views.report_create, name="report-create"),
    path("<int:pk>/", views.report_detail, name="report-detail"),
    path("<int:pk>/edit/", views.report_edit, name="report-edit"),
    path("<int:pk>/transition/", views.report_transition, name="report-transition"),
    path("<int:pk>/render/", views.report_render, name="report-render"),
    path("<int:pk>/pdf/<int:version>/", views.report_pdf, name="report-pdf"),
    path("tracking/", views.tracking_view, name="tracking"),
    path("tracking/export/", views.tracking_export, name="tracking-export"),
    path("tracking/deadline/", views.deadline_set, name="deadline-set"),
    path("tracking/remind/", views.tracking_remind, name="tracking-remind"),
    path("batch/", views.batch_render, name="batch-render"),
    path("<int:pk>/measures/add/", views.measure_add, name="measure-add"),
    path("measures/<int:pk>/state/", views.measure_state, name="measure-state"),
    path("measures/", views.measures_overview, name="measures-overview"),
]
