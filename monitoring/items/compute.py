"""Paper analysis's part of an exam's computation (called by monitoring.statistics.compute_exam)."""

from django.db import connection

from monitoring.items import engine_numpy, engine_sql, reference
from monitoring.items.plan import plan_for

ENGINES = {
    "numpy": engine_numpy.compute_subject,
    "sql": engine_sql.compute_subject,
    "python": reference.compute_subject,
}


def compute_exam_items(exam, *, engine: str = "") -> int:
    """Every item, paper and knowledge figure of the exam's subjects that have a blueprint; the figures
    of a subject without one are removed. Returns the item rows stored. Call inside a transaction.
    `engine`: "numpy" (the default on PostgreSQL), "sql" (all in PostgreSQL) or "python" (the reference,
    the default elsewhere)."""
    compute_subject = ENGINES[engine or ("numpy" if connection.vendor == "postgresql" else "python")]
    stored = 0
    for subject_id in exam.subjects.values_list("pk", flat=True):
        plan = plan_for(subject_id)
        if plan is None:
            reference.delete_subject(subject_id)
        else:
            stored += compute_subject(exam.pk, plan)
    return stored
