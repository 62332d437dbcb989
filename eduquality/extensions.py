"""How the project's apps plug into the shared pages without the shared code knowing them.

Each project app may have, besides its urls:

- `<app>/navigation.py` with `menu(user) -> dict | None` (a top-bar group: label, icon, children
  [(label, url)]) and `home_panels(user) -> list[dict]` (cards on the home page: title, icon,
  items [{"text", "url", "badge"}], empty text);
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
