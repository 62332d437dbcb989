"""The URL × role matrix (tests/test_permission_matrix.py) requests every URL pattern: a pattern
it never asks about fails the suite."""

from django.http import HttpResponse
from django.test import override_settings
from django.urls import include, path, resolve

from eduquality.urls import urlpatterns as project_urlpatterns
from tests.security.helpers import matrix_urls
from tests.test_permission_matrix import EXPECTED, url_names


def test_each_matrix_row_requests_the_pattern_it_names(matrix_world):
    """url_for(name) must land on the pattern called `name`, not on a neighbour."""
    wrong = {}
    for name, url in matrix_urls(matrix_world).items():
        match = resolve(url.split("?")[0])
        if match.view_name != name:
            wrong[name] = match.view_name
    assert not wrong


def _extra(request):
    return HttpResponse("")


urlpatterns = [*project_urlpatterns, path("extra/", include(([path("x/", _extra, name="new-page")], "extra")))]


@override_settings(ROOT_URLCONF=__name__)
def test_a_new_pattern_without_a_matrix_row_is_noticed():
    from django.urls import clear_url_caches

    clear_url_caches()
    try:
        names = set(url_names())
        assert "extra:new-page" in names
        assert names != set(EXPECTED)
        assert names - set(EXPECTED) == {"extra:new-page"}
    finally:
        clear_url_caches()


def test_every_project_pattern_has_a_row():
    assert set(url_names()) == set(EXPECTED)
