"""The portal's settings for the load bench, plus a bare view to measure the ceiling against."""

from eduquality.settings import *  # noqa: F403

ROOT_URLCONF = "bench.load_site.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
