"""URL names of the inspections app; the permission matrix (tests/inspections/matrix.py) covers every one."""

from django.urls import path

from inspections import views

app_name = "inspections"

urlpatterns = [
    path("rubrics/", views.rubric_list, name="rubric-list"),
    path("rubrics/<int:pk>/", views.rubric_detail, name="rubric-detail"),
    path("rubrics/<int:pk>/copy/", views.rubric_copy, name="rubric-copy"),
    path("rubrics/<int:pk>/publish/", views.rubric_publish, name="rubric-publish"),
    path("campaigns/", views.campaign_list, name="campaign-list"),
    path("campaigns/new/", views.campaign_create, name="campaign-create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/draw/", views.campaign_draw, name="campaign-draw"),
    path("draws/", views.draw_list, name="draw-list"),
    path("visits/", views.visit_list, name="visit-list"),
    path("visits/export/", views.visit_export, name="visit-export"),
    path("visits/<int:pk>/", views.visit_detail, name="visit-detail"),
    path("visits/<int:pk>/fill/", views.visit_fill, name="visit-fill"),
    path("visits/<int:pk>/attach/", views.visit_attach, name="visit-attach"),
    path("visits/<int:pk>/photos/", views.visit_photo_upload, name="visit-photo-upload"),
    path("visits/photos/<int:pk>/", views.visit_photo, name="visit-photo"),
    path("visits/<int:pk>/letter.pdf", views.visit_letter, name="visit-letter"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("stars/", views.star_table, name="star-table"),
    path("stars/export/", views.star_export, name="star-export"),
    path("schools/<int:pk>/", views.school_history, name="school-history"),
    path("notices/new/", views.notice_create, name="notice-create"),
    path("notices/<int:pk>/", views.notice_detail, name="notice-detail"),
    path("orders/", views.order_list, name="order-list"),
    path("orders/export/", views.order_export, name="order-export"),
    path("orders/new/", views.order_create, name="order-create"),
    path("orders/<int:pk>/", views.order_detail, name="order-detail"),
    path("orders/<int:pk>/answer/", views.order_answer, name="order-answer"),
    path("orders/<int:pk>/verify/", views.order_verify, name="order-verify"),
    path("orders/<int:pk>/urge/", views.order_urge, name="order-urge"),
    path("orders/<int:pk>/extend/", views.order_extend, name="order-extend"),
    path("sanctions/new/", views.sanction_create, name="sanction-create"),
    path("observations/", views.observation_list, name="observation-list"),
    path("observations/export/", views.observation_export, name="observation-export"),
    path("observations/new/", views.observation_create, name="observation-create"),
    path("observations/<int:pk>/", views.observation_detail, name="observation-detail"),
    path("observations/<int:pk>/reflect/", views.observation_reflect, name="observation-reflect"),
    path("teachers/<int:pk>/", views.teacher_file, name="teacher-file"),
    path("quotas/", views.quota_table, name="quota-table"),
    path("quotas/export/", views.quota_export, name="quota-export"),
    path("quotas/edit/", views.quota_edit, name="quota-edit"),
]
