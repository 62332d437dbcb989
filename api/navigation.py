"""Top-bar menu of the API (see eduquality/extensions.py): everyone with a role makes their own tokens."""

from django.urls import reverse

from schools.scoping import grants_of


def menu(user) -> dict | None:
    if not (user.is_superuser or grants_of(user)):
        return None
    return {
        "label": "数据接口",
        "icon": "plug",
        "children": [("接口令牌", reverse("api:token-list")), ("接口文档", reverse("api:v1:openapi-view"))],
    }
