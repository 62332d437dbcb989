"""Two judges saving at the same moment lose neither score (real transactions, two connections)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from awards import services
from awards.models import Assignment, Score


def _run_together(*calls):
    barrier = threading.Barrier(len(calls))
    errors = []

    def worker(call):
        try:
            barrier.wait(timeout=10)
            call()
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_judges_saving_at_the_same_moment_keep_both_scores(awards_world):
    criteria = list(awards_world.campaign.criteria.all())
    first, second = Assignment.objects.filter(nomination=awards_world.nomination_b).select_related("judge__user")[:2]

    def save(assignment, value):
        return lambda: services.save_scores(
            assignment=assignment, values={c.pk: Decimal(value) for c in criteria}, by=assignment.judge.user
        )

    errors = _run_together(save(first, "7"), save(second, "9"))
    assert errors == []
    assert set(Score.objects.filter(assignment=first).values_list("value", flat=True)) == {Decimal("7")}
    assert set(Score.objects.filter(assignment=second).values_list("value", flat=True)) == {Decimal("9")}
    assert Score.objects.count() == 2 * len(criteria)


@pytest.mark.django_db(transaction=True)
def test_one_judge_saving_twice_at_once_leaves_one_score_per_criterion(awards_world):
    criteria = list(awards_world.campaign.criteria.all())
    assignment = Assignment.objects.filter(nomination=awards_world.nomination_b).select_related("judge__user").first()

    def save(value):
        return lambda: services.save_scores(
            assignment=assignment, values={c.pk: Decimal(value) for c in criteria}, by=assignment.judge.user
        )

    errors = _run_together(save("3"), save("4"))
    assert errors == []
    values = list(Score.objects.filter(assignment=assignment).values_list("value", flat=True))
    assert len(values) == len(criteria)
    assert len(set(values)) == 1  # one whole save won; never a mix of the two
