"""How the project's apps plug into the shared pages without the shared code knowing them.

Each project app may have, besides its urls:

- `<app>/navigation.py` with `menu(user) -> dict | None` (a top-bar group: label, icon, children
  [(label, url)]) and `home_panels(user) -> list[dict]` (cards on the home page: title, icon,
  items [{"text", "url", "badge"}], empty text); optionally `home_heading(user, params) -> dict`
  (semester and breadcrumbs under the greeting; the first app that has one gives it),
  `home_sections(user, params) -> list[dict]` (blocks of the home page: "order", "template" and the
  template's own keys) and `dashboard(user, params) -> list[dict]` (the figures of the cockpit, see
  `templates/includes/dashboard.html` for their keys; `params` is the page's query string);
- `<app>/identity.py` (one app: schools), who a user is: `role_key(user)` (a cache key of the roles
  held), `role_codes(user)`, `role_labels(user)`, `describe_roles(user)` (roles with their schools,
  for the access log) and `oversees_city(user)` (局机关). The core never imports the role model;
- `<app>/demo.py` with `build_demo() -> list[str]`: adds the app's demo records to the demo city
  after the registry is built, and returns lines for seed_demo's summary.

- `<app>/evidence.py`, an evidence provider: `RULES` ({code: label}) and
  `evidence(*, school, semester, codes) -> {code: {"figure", "line", "met", "detail", "records":
  [(text, url)]}}`: figures computed from the app's records that a lower app shows beside a score
  (an inspection criterion names its rule in `Criterion.evidence_rule`).

They are found in INSTALLED_APPS order, so the menu follows the order of the apps there.
"""

from functools import cache
from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.utils.module_loading import module_has_submodule

PROJECT_APPS = ("schools", "monitoring", "inspections", "reports", "awards", "research", "api")


@cache  # the installed apps do not change while the process runs
def app_modules(submodule: str) -> tuple[ModuleType, ...]:
    """The `<app>.<submodule>` modules of the project's installed apps that have one."""
    found = []
    for config in apps.get_app_configs():
        if config.name in PROJECT_APPS and module_has_submodule(config.module, submodule):
            found.append(import_module(f"{config.name}.{submodule}"))
    return tuple(found)


def menus(user) -> list[dict]:
    return [menu for module in app_modules("navigation") if (menu := module.menu(user))]


def home_panels(user) -> list[dict]:
    panels = []
    for module in app_modules("navigation"):
        if hasattr(module, "home_panels"):
            panels += module.home_panels(user)
    return panels


def _ordered(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda item: item.get("order", 50))


def home_heading(user, params) -> dict:
    for module in app_modules("navigation"):
        if hasattr(module, "home_heading"):
            return module.home_heading(user, params)
    return {}


def home_sections(user, params) -> list[dict]:
    sections = []
    for module in app_modules("navigation"):
        if hasattr(module, "home_sections"):
            sections += module.home_sections(user, params)
    return _ordered(sections)


def dashboard(user, params) -> list[dict]:
    """The cockpit's figures of every app, in their "order"."""
    figures = []
    for module in app_modules("navigation"):
        if hasattr(module, "dashboard"):
            figures += module.dashboard(user, params)
    return _ordered(figures)


def _identity() -> ModuleType | None:
    modules = app_modules("identity")
    return modules[0] if modules else None


def role_key(user) -> str:
    identity = _identity()
    return identity.role_key(user) if identity else f"{user.is_staff}:{user.is_superuser}"


def role_codes(user) -> list[str]:
    identity = _identity()
    return identity.role_codes(user) if identity else []


def role_labels(user) -> list[str]:
    identity = _identity()
    return identity.role_labels(user) if identity else []


def describe_roles(user) -> str:
    identity = _identity()
    if identity:
        return identity.describe_roles(user)
    return "系统管理员" if getattr(user, "is_superuser", False) else "无角色"


def oversees_city(user) -> bool:
    identity = _identity()
    if identity:
        return identity.oversees_city(user)
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def build_app_demos() -> list[str]:
    lines = []
    for module in app_modules("demo"):
        if module.__name__ != "schools.demo":
            lines += module.build_demo()
    return lines


def evidence_rule_labels() -> dict[str, str]:
    """Every rule an evidence provider computes: code → label."""
    labels = {}
    for module in app_modules("evidence"):
        labels.update(module.RULES)
    return labels


def evidence(*, school, semester, codes) -> dict[str, dict]:
    """The providers' figures for one school and semester, for the rule codes asked (unknown codes absent)."""
    wanted = {code for code in codes if code}
    found = {}
    for module in app_modules("evidence"):
        mine = wanted & set(module.RULES)
        if mine:
            found.update(module.evidence(school=school, semester=semester, codes=mine))
    return found
