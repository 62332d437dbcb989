from django.urls import path

from api import views
from api.main import api

app_name = "api"

urlpatterns = [
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("v1/", api.urls),
]
