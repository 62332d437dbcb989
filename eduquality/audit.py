"""The audit log: one entry for every change to a record that matters (who, when, old → new)."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.db import models, transaction

from eduquality.models import AuditEntry


def _plain(value):
    """A JSON-safe form of a field value, readable in the log."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (date, datetime, Decimal)):
        return str(value)
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes, dict)):
        return sorted(str(item) for item in value)
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict:
    """The readable values of `fields` on `instance`, for a later `changes_between`."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            values[name] = _plain(list(getattr(instance, name).all())) if instance.pk else []
        else:
            values[name] = _plain(getattr(instance, name))
    return values


def changes_between(before: dict, after: dict) -> dict:
    """{field: [old, new]} for every field whose value differs."""
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def record(*, actor, action: str, instance: models.Model, changes: dict | None = None, note: str = "") -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        model_label=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes or {},
        note=note[:300],
    )


def history_for(instance: models.Model):
    return AuditEntry.objects.filter(model_label=instance._meta.label, object_id=str(instance.pk)).select_related(
        "actor"
    )


def save_form(form, *, actor):
    """Save a valid ModelForm and log the change (新建, or 修改 with each field's old → new)."""
    instance = form.instance
    fields = [name for name in form.fields if name in {f.name for f in instance._meta.get_fields()}]
    creating = instance.pk is None
    before = {} if creating else snapshot(type(instance)._default_manager.get(pk=instance.pk), fields)
    with transaction.atomic():
        saved = form.save()
        if creating:
            record(actor=actor, action=AuditEntry.Action.CREATE, instance=saved)
        else:
            changes = changes_between(before, snapshot(saved, fields))
            if changes:
                record(actor=actor, action=AuditEntry.Action.UPDATE, instance=saved, changes=changes)
    return saved
