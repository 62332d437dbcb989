from django.urls import path

from monitoring import views
from monitoring.items.urls import urlpatterns as item_urlpatterns
from monitoring.value_added import views as value_added_views

app_name = "monitoring"

urlpatterns = [
    path("exams/", views.exam_list, name="exam-list"),
    path("exams/new/", views.exam_edit, name="exam-create"),
    path("exams/<int:pk>/", views.exam_detail, name="exam-detail"),
    path("exams/<int:pk>/edit/", views.exam_edit, name="exam-update"),
    path("exams/<int:pk>/template/", views.exam_template, name="exam-template"),
    path("exams/<int:pk>/upload/", views.exam_upload, name="exam-upload"),
    path("exams/<int:pk>/recompute/", views.exam_recompute, name="exam-recompute"),
    path("exams/<int:pk>/ranking/", views.exam_ranking, name="exam-ranking"),
    path("exams/<int:pk>/scores/", views.exam_scores, name="exam-scores"),
    path("exams/<int:pk>/schools/<int:school_id>/", views.exam_school, name="exam-school"),
    path("exams/<int:pk>/value-added/", value_added_views.exam_value_added, name="exam-value-added"),
    path(
        "exams/<int:pk>/value-added/schools/<int:school_id>/",
        value_added_views.school_value_added,
        name="exam-value-added-school",
    ),
    path("schools/<int:school_id>/", views.school_trend, name="school-trend"),
    path("warnings/", views.warning_list, name="warning-list"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning-detail"),
    path("indicators/", views.indicator_table, name="indicator-table"),
    path("indicators/<int:school_id>/file/", views.indicator_file, name="indicator-file"),
    *item_urlpatterns,
]
