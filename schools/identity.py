"""Who a user is, for the shared pages (see eduquality/extensions.py): the core asks these through the
`identity` hook and never imports the role model itself."""

from schools.models import Role, School
from schools.scoping import grants_of, is_bureau


def role_key(user) -> str:
    """The roles held, as a cache key: a changed role (or school, or subject) is a new key."""
    held = sorted((g.role, g.school_id or 0, g.subject_id or 0) for g in grants_of(user))
    return f"{user.is_staff}:{user.is_superuser}:{held}".replace(" ", "")


def role_codes(user) -> list[str]:
    return sorted({g.role for g in grants_of(user)})


def role_labels(user) -> list[str]:
    """The roles' names (校长, 教研组长…), each once."""
    return sorted({Role(g.role).label for g in grants_of(user) if g.role in Role.values})


def describe_roles(user) -> str:
    """The roles with their schools, e.g. 校长（实验中学）, as the access log records them."""
    grants = sorted(grants_of(user), key=lambda g: (g.role, g.school_id or 0))
    schools = dict(School.objects.filter(pk__in={g.school_id for g in grants if g.school_id}).values_list("pk", "name"))
    labels = []
    for grant in grants:
        label = Role(grant.role).label if grant.role in Role.values else grant.role
        labels.append(f"{label}（{schools[grant.school_id]}）" if grant.school_id in schools else label)
    if getattr(user, "is_superuser", False):
        labels.insert(0, "系统管理员")
    return "、".join(labels)[:200] or "无角色"


def oversees_city(user) -> bool:
    """局机关 (or a superuser): reads what concerns every school, e.g. the access log."""
    return is_bureau(user)
