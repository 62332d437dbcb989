from django.urls import path, re_path
from django.views.generic import RedirectView

from schools import views
from schools.resources import RESOURCES

app_name = "schools"


def _patterns(resource):
    prefix = resource.url_prefix
    kwargs = {"resource": resource}
    patterns = [
        path(prefix, views.list_view, kwargs, name=f"{resource.slug}-list"),
        path(f"{prefix}export/", views.export_view, kwargs, name=f"{resource.slug}-export"),
        path(f"{prefix}<int:pk>/", views.detail_view, kwargs, name=f"{resource.slug}-detail"),
    ]
    if resource.form:
        patterns += [
            path(f"{prefix}new/", views.edit_view, kwargs, name=f"{resource.slug}-create"),
            path(f"{prefix}<int:pk>/edit/", views.edit_view, kwargs, name=f"{resource.slug}-update"),
        ]
    if resource.importer:
        patterns += [
            path(f"{prefix}import/", views.import_view, kwargs, name=f"{resource.slug}-import"),
            path(
                f"{prefix}import/template/", views.import_template_view, kwargs, name=f"{resource.slug}-import-template"
            ),
        ]
    return patterns


urlpatterns = [pattern for resource in RESOURCES for pattern in _patterns(resource)] + [
    # The class pages lived at /schools/classs/ until issue 14: old links and bookmarks still arrive.
    re_path(
        r"^classs/(?P<rest>.*)$",
        RedirectView.as_view(url="/schools/classes/%(rest)s", query_string=True, permanent=True),
        name="class-moved",
    ),
]
