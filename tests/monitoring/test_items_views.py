"""Paper-analysis pages, exports, scoping, and the item sheet through the worker and the command line."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from eduquality.models import Job
from monitoring import services
from monitoring.items.models import BlueprintItem, ItemScore, ItemStatistic
from monitoring.statistics import compute_exam
from tests.conftest import client_for
from tests.monitoring.factories import import_rows, make_exam, row, workbook
from tests.monitoring.items_factories import MATHS_ITEMS, item_header_row, make_blueprint
from tests.monitoring.test_worker_import import wait_for
from tests.test_worker import broker, worker  # noqa: F401 – the real broker and worker fixtures


def _answers(n: int) -> list:
    """Stronger students (small n) answer more items right."""
    good = n % 7 < 5
    return ["B" if good else "A", "C" if n % 3 else "D", "AC" if good else "A", (n % 5) * 1.0]


@pytest.fixture
def analysed(city):
    exam = make_exam(schools=[city.school_a, city.school_b], subjects=(("SX", 10),), code="JC-PAGES")
    make_blueprint(exam.subjects.get(), MATHS_ITEMS)
    rows = [row(n, city.school_a if n % 2 else city.school_b, 1 + n % 2, None, *_answers(n)) for n in range(1, 41)]
    import_rows(exam, rows, item_header_row(exam))
    compute_exam(exam)
    return exam


def _sheets(response) -> dict:
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return {sheet.title: [list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


@pytest.mark.django_db
def test_bureau_sees_the_item_table_scatter_and_two_way_table(analysed, city, django_assert_max_num_queries):
    subject = analysed.subjects.get()
    url = reverse("monitoring:item-analysis", args=[analysed.pk, subject.pk])
    client = client_for(city.bureau)
    with django_assert_max_num_queries(20):
        page = client.get(url)
    text = page.content.decode()
    assert "数学试卷分析 · 全市" in text and 'data-chart="itemScatter"' in text
    assert "数与运算" in text and "区分度" in text
    exported = _sheets(client.get(url + "?export=xlsx"))
    assert [r[0] for r in exported["小题分析"][1:]] == ["1", "2", "3", "4"]
    assert exported["双向细目表（得分率）"][0][0] == "知识点"


@pytest.mark.django_db
def test_the_analysis_page_runs_a_fixed_number_of_queries(analysed, city, django_assert_num_queries):
    subject = analysed.subjects.get()
    url = reverse("monitoring:item-analysis", args=[analysed.pk, subject.pk])
    client = client_for(city.bureau)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(url)
    BlueprintItem.objects.filter(exam_subject=subject, label="4").update(label="4(1)")
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert len(first) == len(second)


@pytest.mark.django_db
def test_a_principal_sees_own_school_knowledge_but_not_another(analysed, city):
    url_a = reverse("monitoring:item-school", args=[analysed.pk, city.school_a.pk])
    page = client_for(city.principal_a).get(url_a)
    text = page.content.decode()
    assert page.status_code == 200
    assert "典型失分题" in text and "班级 × 知识点得分率" in text and "数与代数" in text
    assert client_for(city.principal_b).get(url_a).status_code == 404
    subject = analysed.subjects.get()
    analysis = reverse("monitoring:item-analysis", args=[analysed.pk, subject.pk])
    assert client_for(city.principal_b).get(analysis + f"?school={city.school_a.pk}").status_code == 404
    own = client_for(city.principal_a).get(analysis + f"?school={city.school_a.pk}")
    assert "与全市差" in own.content.decode()
    exported = _sheets(client_for(city.principal_a).get(url_a + "?export=xlsx"))
    assert set(exported) == {"知识点得分率", "班级知识点得分率", "典型失分题"}
    # No student's item scores on any of these pages or exports: names never appear.
    assert "学生1" not in text


@pytest.mark.django_db
def test_school_figures_are_its_own_and_the_city_sums_both(analysed, city):
    subject = analysed.subjects.get()
    city_row = ItemStatistic.objects.get(exam_subject=subject, level="city", item__label="1")
    schools = ItemStatistic.objects.filter(exam_subject=subject, level="school", item__label="1")
    assert city_row.sitters == 40 == sum(s.sitters for s in schools)


@pytest.mark.django_db
def test_blueprint_upload_page_refuses_and_lists_problems(city):
    exam = make_exam(schools=[city.school_a], subjects=(("SX", 10),), code="JC-BPV")
    subject = exam.subjects.get()
    url = reverse("monitoring:item-blueprint", args=[exam.pk, subject.pk])
    book = openpyxl.Workbook()
    book.active.append(["题号", "题型", "分值", "知识点", "能力层级"])
    book.active.append(["1", "解答", 4, "函数", "运用"])
    buffer = io.BytesIO()
    book.save(buffer)
    page = client_for(city.bureau).post(url, {"file": SimpleUploadedFile("细目表.xlsx", buffer.getvalue())})
    assert "相差 -6 分" in page.content.decode()
    assert not subject.items.exists()
    assert client_for(city.principal_a).post(url, {}).status_code == 403


@pytest.mark.django_db
def test_blueprint_entered_in_the_form_is_saved_when_it_adds_up(city):
    exam = make_exam(schools=[city.school_a], subjects=(("SX", 6),), code="JC-BPF")
    subject = exam.subjects.get()
    url = reverse("monitoring:item-blueprint-edit", args=[exam.pk, subject.pk])
    from monitoring.items.models import AbilityLevel
    from tests.monitoring.items_factories import point

    data = {
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for index, (label, kind, points, key) in enumerate([("1", "single", "2", "b"), ("2", "answer", "3", "")]):
        data.update(
            {
                f"items-{index}-label": label,
                f"items-{index}-kind": kind,
                f"items-{index}-points": points,
                f"items-{index}-knowledge_point": point("SX", "函数").pk,
                f"items-{index}-ability": AbilityLevel.objects.get(name="理解").pk,
                f"items-{index}-answer_key": key,
                f"items-{index}-option_count": "4",
            }
        )
    client = client_for(city.bureau)
    page = client.post(url, data)
    assert "相差 -1 分" in page.content.decode() and not subject.items.exists()
    data["items-1-points"] = "4"
    assert client.post(url, data).status_code == 302
    assert [(i.label, i.answer_key) for i in subject.items.order_by("position")] == [("1", "B"), ("2", "")]


@pytest.mark.django_db
def test_import_scores_command_takes_item_columns(city, tmp_path):
    exam = make_exam(schools=[city.school_a], subjects=(("SX", 10),), code="JC-ITEMCLI")
    make_blueprint(exam.subjects.get(), MATHS_ITEMS)
    path = tmp_path / "小题分.xlsx"
    path.write_bytes(workbook(exam, [row(1, city.school_a, 1, 8, "B", "C", "A", 3)], item_header_row(exam)))
    call_command("import_scores", "JC-ITEMCLI", str(path))
    assert ItemScore.objects.get().points == [4, 4, 2, 6]
    assert ItemStatistic.objects.filter(level="city").count() == 4


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_item_sheet_is_imported_and_analysed_by_the_worker(city, worker):  # noqa: F811
    exam = make_exam(schools=[city.school_a, city.school_b], subjects=(("SX", 10),), code="JC-ITEMWORKER")
    make_blueprint(exam.subjects.get(), MATHS_ITEMS)
    rows = [row(n, city.school_a if n % 2 else city.school_b, 1, None, *_answers(n)) for n in range(1, 200)]
    upload = SimpleUploadedFile("小题分.xlsx", workbook(exam, rows, item_header_row(exam)))

    job = wait_for(services.start_score_import(exam=exam, upload=upload, by=city.bureau), worker)

    assert job.status == Job.Status.SUCCEEDED, job.message
    assert "小题分 199 份" in job.message
    assert ItemStatistic.objects.get(level="city", item__label="1").sitters == 199


@pytest.mark.django_db
def test_a_score_made_of_items_is_not_corrected_alone(analysed, city):
    from django.core.exceptions import ValidationError

    from monitoring.models import Score

    score = Score.objects.filter(exam_subject__exam=analysed, score__isnull=False).first()
    with pytest.raises(ValidationError, match="按小题导入"):
        services.correct_score(score=score, raw_value="1", reason="登分错误", by=city.bureau)
    assert Score.objects.get(pk=score.pk).score == score.score
