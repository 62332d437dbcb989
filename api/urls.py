from functools import wraps

from django.urls import path, re_path

from api import views
from api.main import api
from api.problems import problem_response

app_name = "api"


def _problem_for_wrong_method(view):
    """django-ninja answers a method a path does not have with a bare 405; the API answers problems."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = response.get("Allow", "")
            response = problem_response(request, 405, f"此地址不支持 {request.method} 请求（支持：{allowed}）。")
            response["Allow"] = allowed
        return response

    return wrapper


api_patterns, api_app_name, api_namespace = api.urls
for pattern in api_patterns:
    if pattern.name not in ("openapi-json", "openapi-view", "api-root"):
        pattern.callback = _problem_for_wrong_method(pattern.callback)

urlpatterns = [
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("v1/", (api_patterns, api_app_name, api_namespace)),
    re_path(r"^v1/(?P<rest>.+)$", views.api_not_found, name="v1-not-found"),
]
