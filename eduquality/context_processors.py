"""Navigation by role: what the top bar offers depends on who is signed in."""

from django.core.cache import cache
from django.urls import reverse

from eduquality.extensions import menus, role_codes, role_key

# The menu follows from the user's roles alone; building it reverses some thirty URLs, most of what a
# page's frame costs. It is kept per user and set of roles (a changed role is a new key) for a while.
NAV_CACHE_SECONDS = 300


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    key = f"nav:{user.pk}:{role_key(user)}"
    nav = cache.get(key)
    if nav is None:
        nav = build_navigation(user)
        cache.set(key, nav, NAV_CACHE_SECONDS)
    return {"nav": nav, "nav_roles": role_codes(user)}


def build_navigation(user) -> list[dict]:
    """首页, then each app's group (the registry's first: INSTALLED_APPS order), then 后台管理."""
    nav = [{"label": "首页", "url": reverse("home"), "icon": "house"}]
    nav += menus(user)
    if user.is_staff:
        nav.append({"label": "后台管理", "url": reverse("admin:index"), "icon": "gear"})
    return nav
