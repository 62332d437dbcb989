"""How every form's selects look, in one place (settings.FORM_RENDERER), and grouped model choices.

- A select's blank choice reads 请选择, not Django's "---------" (model fields and ModelChoiceField
  default to the dashes; a form that names its own blank label, such as "（不针对单一学科）", keeps it).
- A select with many options is marked `data-searchable`: static/js/app.js turns it into a
  type-to-search box (vendored Tom Select). Without JavaScript it stays an ordinary select.
- `group_choices(field, by=…, filter_label=…)` puts a model choice field's options in optgroups (the
  schools of a district, the teachers of a school); app.js adds a select of the groups in front of it
  (选择区县 → 学校), so a long list is narrowed in two steps. Without JavaScript the groups still show.
"""

from itertools import groupby

from django.forms.models import ModelChoiceIterator
from django.forms.renderers import DjangoTemplates

BLANK_LABEL = "请选择"
DJANGO_BLANK_LABEL = "---------"
# From this many options on, a select gets a search box.
SEARCHABLE_FROM = 15


def _options(widget: dict):
    for _name, options, _index in widget.get("optgroups", ()):
        yield from options


class PortalFormRenderer(DjangoTemplates):
    """Django's own widget templates, with the blank label and the search mark set on the way."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if isinstance(widget, dict) and "optgroups" in widget:
            count = 0
            for option in _options(widget):
                if option["label"] == DJANGO_BLANK_LABEL and str(option["value"]) == "":
                    option["label"] = BLANK_LABEL
                count += 1
            if count >= SEARCHABLE_FROM and widget.get("template_name", "").endswith("select.html"):
                widget["attrs"] = {**widget["attrs"], "data-searchable": ""}
        return super().render(template_name, context, request=request)


class GroupedModelChoiceIterator(ModelChoiceIterator):
    """The field's options in optgroups by `field.group_by(obj)`; the queryset must be ordered by it."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for group, objects in groupby(self.queryset, key=self.field.group_by):
            yield (group, [self.choice(obj) for obj in objects])


def group_choices(field, *, by, filter_label: str) -> None:
    """Show a ModelChoiceField's (or ModelMultipleChoiceField's) options grouped by `by(obj)`, with a
    select of the groups in front of it (labelled `filter_label`) once JavaScript runs."""
    field.group_by = by
    field.iterator = GroupedModelChoiceIterator
    field.widget.choices = field.choices
    field.widget.attrs["data-group-filter"] = filter_label
