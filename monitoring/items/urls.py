from django.urls import path

from monitoring.items import knowledge_views, views

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
    path("knowledge/", knowledge_views.knowledge_tree, name="knowledge-tree"),
    path("knowledge/copy/", knowledge_views.knowledge_tree_copy, name="knowledge-tree-copy"),
    path("knowledge/<int:pk>/edit/", knowledge_views.knowledge_point_edit, name="knowledge-point-edit"),
    path("knowledge/<int:pk>/delete/", knowledge_views.knowledge_point_delete, name="knowledge-point-delete"),
    path("knowledge/abilities/new/", knowledge_views.ability_edit, name="ability-create"),
    path("knowledge/abilities/<int:pk>/edit/", knowledge_views.ability_edit, name="ability-edit"),
    path("knowledge/abilities/<int:pk>/delete/", knowledge_views.ability_delete, name="ability-delete"),
]
