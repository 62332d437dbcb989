"""Where the home page's cockpit stands (全市 → 区县 → 学校 → 班级) for a user, read once per request.

The figures of every app (warnings, reports, orders, star levels, 三率) are computed for one `Scope`:
bureau staff start at the city and drill into a district (`?district=<id>`) and a school
(`?school=<id>`); a school's leaders see their own school only, whatever the query string says.
Apps group their rows by `scope.group_field()` and label them with `scope.units`.
"""

from dataclasses import dataclass, field

from django.urls import reverse

from schools.models import District, School
from schools.scoping import is_bureau, school_leader_ids_for

CITY, DISTRICT, SCHOOL = "city", "district", "school"


@dataclass(frozen=True)
class Unit:
    """One bar of a figure: a district at city level, a school at district level."""

    pk: int
    label: str
    url: str  # the cockpit one level down


@dataclass(frozen=True)
class Scope:
    level: str
    district: District | None = None
    school: School | None = None
    units: tuple[Unit, ...] = ()
    sees_all: bool = False  # bureau staff: the city's figures, other schools' names
    crumbs: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (label, url or "")

    def filter(self, prefix: str = "school") -> dict:
        """Keyword arguments that keep a queryset's rows of this scope (`prefix` leads to the school)."""
        if self.level == SCHOOL:
            return {f"{prefix}_id": self.school.pk}
        if self.level == DISTRICT:
            return {f"{prefix}__district_id": self.district.pk}
        return {}

    def school_filter(self) -> dict:
        """Keyword arguments that keep the schools of this scope (a School queryset)."""
        if self.level == SCHOOL:
            return {"pk": self.school.pk}
        if self.level == DISTRICT:
            return {"district_id": self.district.pk}
        return {}

    def group_field(self, prefix: str = "school") -> str:
        """The field that says which unit a row belongs to (its district in the city, else its school)."""
        return f"{prefix}__district_id" if self.level == CITY else f"{prefix}_id"

    @property
    def name(self) -> str:
        if self.level == SCHOOL:
            return self.school.name
        if self.level == DISTRICT:
            return self.district.name
        return "全市"

    @property
    def unit_name(self) -> str:
        return "区县" if self.level == CITY else "学校"


def home_url(**query) -> str:
    url = reverse("home")
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url


def _number(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def scope_for(user, params) -> Scope | None:
    """The user's cockpit scope for the request's query (`params`), or None: no cockpit for this role."""
    key = (params.get("district"), params.get("school"))
    cached = getattr(user, "_eduquality_scopes", None)
    if cached is None:
        cached = user._eduquality_scopes = {}
    if key not in cached:
        cached[key] = _resolve(user, _number(key[0]), _number(key[1]))
    return cached[key]


def _resolve(user, district_id: int | None, school_id: int | None) -> Scope | None:
    city = ("全市", home_url())
    if is_bureau(user):
        if school_id:
            school = School.objects.select_related("district").filter(pk=school_id).first()
            if school is not None:
                district = school.district
                crumbs = (city, (district.name, home_url(district=district.pk)), (school.name, ""))
                return Scope(SCHOOL, district, school, sees_all=True, crumbs=crumbs)
        if district_id:
            district = District.objects.filter(pk=district_id).first()
            if district is not None:
                schools = School.objects.filter(district=district, is_active=True).order_by("code")
                units = tuple(Unit(s.pk, s.name, home_url(school=s.pk)) for s in schools.only("pk", "name"))
                return Scope(DISTRICT, district, units=units, sees_all=True, crumbs=(city, (district.name, "")))
        units = tuple(Unit(d.pk, d.name, home_url(district=d.pk)) for d in District.objects.order_by("code"))
        return Scope(CITY, units=units, sees_all=True, crumbs=(("全市", ""),))
    led = school_leader_ids_for(user)
    if not led:
        return None
    chosen = school_id if school_id in led else min(led)
    school = School.objects.select_related("district").get(pk=chosen)
    return Scope(SCHOOL, school.district, school, crumbs=((school.name, ""),))
