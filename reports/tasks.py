"""Celery tasks of the reports app: thin, ids in."""

from celery import shared_task

from reports import services


@shared_task(name="reports.render_batch_items", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def render_batch_items(job_id: str) -> int:
    """A helper of a bulk render: render pending items of the batch until none is left."""
    rendered = 0
    while services.render_next_item(job_id):
        rendered += 1
    return rendered
