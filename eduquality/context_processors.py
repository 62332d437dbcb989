"""Navigation by role: what the top bar offers depends on who is signed in."""

from django.core.cache import cache
from django.urls import reverse

from eduquality.extensions import menus
from schools.scoping import grants_of, is_bureau, is_inspector, school_ids_for

# The menu follows from the user's roles alone; building it reverses some thirty URLs, most of what a
# page's frame costs. It is kept per user and set of roles (a changed role is a new key) for a while.
NAV_CACHE_SECONDS = 300


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    grants = grants_of(user)
    roles = sorted({g.role for g in grants})
    held = sorted((g.role, g.school_id or 0, g.subject_id or 0) for g in grants)
    key = f"nav:{user.pk}:{user.is_staff}:{user.is_superuser}:{held}".replace(" ", "")
    nav = cache.get(key)
    if nav is None:
        nav = build_navigation(user)
        cache.set(key, nav, NAV_CACHE_SECONDS)
    return {"nav": nav, "nav_roles": roles}


def build_navigation(user) -> list[dict]:
    bureau = is_bureau(user)
    school_staff = bool(school_ids_for(user))
    leaders = bool(school_ids_for(user, "principal", "vice_principal", "academic_lead", "group_leader"))
    registry = []
    if bureau or is_inspector(user) or school_staff:
        registry.append(("学校", reverse("schools:school-list")))
        registry.append(("教师", reverse("schools:teacher-list")))
        registry.append(("教研组", reverse("schools:group-list")))
    if bureau or school_staff:
        registry.append(("班级", reverse("schools:class-list")))
    if bureau or leaders:
        registry.append(("学生", reverse("schools:student-list")))
    if bureau:
        registry += [
            ("区县", reverse("schools:district-list")),
            ("教研片区", reverse("schools:zone-list")),
            ("学期", reverse("schools:semester-list")),
            ("学生信息访问日志", reverse("access-log")),
        ]
    nav = [{"label": "首页", "url": reverse("home"), "icon": "house"}]
    if registry:
        nav.append({"label": "学校基础信息", "icon": "building", "children": registry})
    nav += menus(user)
    if user.is_staff:
        nav.append({"label": "后台管理", "url": reverse("admin:index"), "icon": "gear"})
    return nav
