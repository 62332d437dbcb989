from django.urls import path

from monitoring.items import views

# Included by monitoring.urls (names in the "monitoring" namespace).
urlpatterns = [
    path("exams/<int:pk>/subjects/<int:subject_id>/analysis/", views.analysis, name="item-analysis"),
    path("exams/<int:pk>/subjects/<int:subject_id>/blueprint/", views.blueprint_page, name="item-blueprint"),
    path("exams/<int:pk>/subjects/<int:subject_id>/blueprint/edit/", views.blueprint_edit, name="item-blueprint-edit"),
    path(
        "exams/<int:pk>/subjects/<int:subject_id>/blueprint/template/",
        views.blueprint_template,
        name="item-blueprint-template",
    ),
    path(
        "exams/<int:pk>/subjects/<int:subject_id>/blueprint/download/",
        views.blueprint_download,
        name="item-blueprint-download",
    ),
    path("exams/<int:pk>/schools/<int:school_id>/knowledge/", views.school_knowledge, name="item-school"),
]
