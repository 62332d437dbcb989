"""Project-wide pages added by the security work, in the URL × role matrix (see tests/matrix.py)."""

from django.urls import reverse

from tests.matrix import BUREAU_ONLY

EXPECTED = {"access-log": BUREAU_ONLY}


def build(city) -> dict:
    return {}


def url(name: str, objects: dict) -> str:
    return reverse(name)
