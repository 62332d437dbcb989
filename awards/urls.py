"""URL names of the awards app; the permission matrix (tests/awards/matrix.py) covers every one."""

from django.urls import path

from awards import views

app_name = "awards"

urlpatterns = [
    path("", views.campaign_list, name="campaign-list"),
    path("new/", views.campaign_edit, name="campaign-create"),
    path("<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="campaign-update"),
    path("<int:pk>/advance/", views.campaign_advance, name="campaign-advance"),
    path("<int:pk>/judges/", views.campaign_judges, name="campaign-judges"),
    path("<int:pk>/nominations/", views.nomination_list, name="nomination-list"),
    path("<int:pk>/nominations/export/", views.nomination_export, name="nomination-export"),
    path("<int:pk>/nominate/", views.nomination_create, name="nomination-create"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results/export/", views.results_export, name="results-export"),
    path("<int:pk>/notice/", views.notice, name="notice"),
    path("<int:pk>/objections/", views.objection_list, name="objection-list"),
    path("<int:pk>/objections/new/", views.objection_create, name="objection-create"),
    path("<int:pk>/certificates/", views.certificate_batch, name="certificate-batch"),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination-detail"),
    path("nominations/<int:pk>/edit/", views.nomination_edit, name="nomination-edit"),
    path("nominations/<int:pk>/withdraw/", views.nomination_withdraw, name="nomination-withdraw"),
    path("nominations/<int:pk>/materials/", views.nomination_materials, name="nomination-materials"),
    path("nominations/<int:pk>/endorse/", views.nomination_endorse, name="nomination-endorse"),
    path("nominations/<int:pk>/check/", views.nomination_check, name="nomination-check"),
    path("nominations/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("materials/<int:pk>/", views.material_download, name="material-download"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection-resolve"),
    path("judging/", views.judge_queue, name="judge-queue"),
    path("judging/<int:pk>/", views.score_form, name="score"),
    path("holidays/", views.holiday_list, name="holiday-list"),
]
