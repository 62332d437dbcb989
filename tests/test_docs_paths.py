"""Every path the README and docs/ name is a real URL of the portal (issue 14 §9: the README linked
/schools/classes/ while the page lived at /schools/classs/)."""

import re
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Paths the docs name that are not pages: the static prefix (and a traversal a security test tries).
NOT_PAGES = {"/static/", "/static/../"}


def _documented_paths() -> list[tuple[str, str]]:
    found = set()
    for document in DOCUMENTS:
        for path in re.findall(r"`(/[^`\s]*)`", document.read_text()):
            if path not in NOT_PAGES:
                found.add((document.name, path))
    return sorted(found)


# A placeholder stands for a number or, for a job, a UUID.
SAMPLE_IDS = ("1", "00000000-0000-0000-0000-000000000001")


def _concrete(path: str, sample_id: str) -> str:
    """`/reports/<id>/` → `/reports/1/`, `/reports/{id}` → `/reports/1`, the query string dropped."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", sample_id, path.split("?")[0])


@pytest.mark.parametrize(("document", "path"), _documented_paths())
def test_every_documented_path_resolves(document, path):
    candidates = [_concrete(path, sample_id) for sample_id in SAMPLE_IDS]
    # docs/api.md writes the API's paths relative to /api/v1.
    if document == "api.md":
        candidates += [f"/api/v1{candidate}" for candidate in candidates]
    for candidate in candidates:
        try:
            resolve(candidate)
            return
        except Resolver404:
            continue
    pytest.fail(f"{document} names {path}, which is no URL of the portal")


def test_the_readme_table_names_the_class_list_by_its_menu_path(client, city, login):
    from django.urls import reverse

    assert reverse("schools:class-list") == "/schools/classes/"
    assert "`/schools/classes/`" in (ROOT / "README.md").read_text()
    response = login(city.bureau).get("/schools/classes/")
    assert response.status_code == 200
    assert "/schools/classes/" in login(city.bureau).get("/").content.decode()  # the menu's link


def test_the_old_class_paths_redirect_to_the_new_ones(city, login):
    bureau = login(city.bureau)
    response = bureau.get(f"/schools/classs/{city.class_a.pk}/?tab=1")
    assert response.status_code == 301
    assert response["Location"] == f"/schools/classes/{city.class_a.pk}/?tab=1"
    assert bureau.get("/schools/classs/", follow=True).status_code == 200
