"""The portal's URLs and `/bench/bare/`: 50 rows from PostgreSQL through a template, nothing else."""

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from schools.models import School

BARE = engines["django"].from_string(
    "<table>{% for s in schools %}<tr><td>{{ s.code }}</td><td>{{ s.name }}</td></tr>{% endfor %}</table>"
)


def bare(request):
    return HttpResponse(BARE.render({"schools": School.objects.order_by("code")[:50]}))


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), path("", include("eduquality.urls"))]
