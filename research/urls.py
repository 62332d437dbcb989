"""URL names of the teaching-research app; the permission matrix (tests/research/matrix.py) covers every one."""

from django.urls import path

from research import views

app_name = "research"

urlpatterns = [
    path("activities/", views.activity_list, name="activity-list"),
    path("activities/export/", views.activity_export, name="activity-export"),
    path("activities/new/", views.activity_create, name="activity-create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity-detail"),
    path("activities/<int:pk>/edit/", views.activity_update, name="activity-update"),
    path("activities/<int:pk>/confirm/", views.activity_confirm, name="activity-confirm"),
    path("activities/<int:pk>/attendance/", views.activity_attendance, name="activity-attendance"),
    path("activities/<int:pk>/attach/", views.activity_attach, name="activity-attach"),
    path("activities/<int:pk>/link/", views.activity_link, name="activity-link"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("semester/", views.my_table, name="my-table"),
    path("schools/<int:pk>/", views.school_table, name="school-table"),
    path("city/", views.city_table, name="city-table"),
    path("city/export/", views.city_export, name="city-export"),
    path("zones/<int:pk>/", views.zone_detail, name="zone-detail"),
    path("growth/", views.growth_school, name="growth-school"),
    path("growth/mine/", views.my_growth, name="growth-mine"),
    path("growth/<int:pk>/", views.growth_detail, name="growth-detail"),
    path("growth/<int:pk>/record/", views.growth_record, name="growth-record"),
    path("growth/<int:pk>/reading/", views.growth_reading, name="growth-reading"),
    path("growth/materials/<int:pk>/", views.growth_material, name="growth-material"),
    path("liaisons/", views.liaison_list, name="liaison-list"),
    path("liaisons/new/", views.liaison_create, name="liaison-create"),
    path("liaisons/mine/", views.my_schools, name="my-schools"),
]
