"""知识点体系: the bureau keeps the trees and ability levels as data; a district may keep its own tree,
which the exams of its schools alone use; nothing a blueprint uses can be deleted."""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from eduquality.models import AuditEntry
from monitoring.items import blueprint, knowledge
from monitoring.items.models import AbilityLevel, KnowledgePoint
from schools.models import Subject
from tests.factories import DistrictFactory, SchoolFactory
from tests.monitoring.factories import make_exam
from tests.monitoring.items_factories import MATHS_ITEMS, make_blueprint, point

pytestmark = pytest.mark.django_db


# ---- Whose tree an exam uses (pure) ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("exam_districts", "with_tree", "expected"),
    [
        ({7}, {7}, 7),  # a district's own exam, the district keeps a tree
        ({7}, set(), None),  # …keeps none: the city's
        ({7, 8}, {7, 8}, None),  # schools of two districts: the city's, whatever they keep
        (set(), set(), None),  # no schools yet
    ],
)
def test_an_exam_of_one_district_uses_its_districts_own_tree_and_every_other_exam_the_citys(
    exam_districts, with_tree, expected
):
    assert knowledge.tree_district(exam_districts, with_tree) == expected


def test_a_tree_lists_each_domain_followed_by_its_points_in_their_order():
    a, b = KnowledgePoint(pk=1, name="甲", order=2), KnowledgePoint(pk=2, name="乙", order=1)
    a1 = KnowledgePoint(pk=3, name="甲一", parent_id=1, order=5)
    b1, b2 = KnowledgePoint(pk=4, name="乙一", parent_id=2, order=2), KnowledgePoint(pk=5, name="乙二", parent_id=2)
    assert [p.name for p in knowledge.ordered([a1, b1, a, b2, b])] == ["乙", "乙二", "乙一", "甲", "甲一"]


# ---- Rules of an edit ------------------------------------------------------------------------------
def maths():
    return Subject.objects.get(code="SX")


def test_a_point_needs_a_name_a_domain_of_the_same_tree_and_a_name_its_domain_does_not_have(reference_data):
    domain = KnowledgePoint.objects.get(subject=maths(), district__isnull=True, name="数与代数")
    under = KnowledgePoint.objects.filter(parent=domain).first()
    other = DistrictFactory()
    own_domain = KnowledgePoint.objects.create(subject=maths(), district=other, name="数与代数")

    def refused(**values):
        with pytest.raises(ValidationError) as caught:
            knowledge.check_point(subject_id=maths().pk, **values)
        return " ".join(caught.value.messages)

    assert refused(district_id=None, parent=domain, name="  ") == "请填写名称。"
    assert "两级" in refused(district_id=None, parent=under, name="新知识点")
    assert "同一知识点体系" in refused(district_id=None, parent=own_domain, name="新知识点")
    assert (
        refused(district_id=None, parent=domain, name=under.name) == f"领域“数与代数”下已有名为“{under.name}”的知识点。"
    )
    assert "已有名为“数与代数”的领域" in refused(district_id=None, parent=None, name="数与代数")
    assert (
        knowledge.check_point(subject_id=maths().pk, district_id=other.pk, parent=own_domain, name=" 方程 ") == "方程"
    )


def test_a_point_or_ability_a_blueprint_uses_is_never_deleted_and_an_unused_one_is(city):
    exam = make_exam(schools=[city.school_a])
    make_blueprint(exam.subjects.get(subject__code="SX"), MATHS_ITEMS)
    used = point("SX", "数与运算")
    with pytest.raises(ValidationError, match="已被 2 道题的细目表使用"):
        knowledge.delete_point(used, by=city.bureau)
    with pytest.raises(ValidationError, match="“数与代数”已被 3 道题的细目表使用"):
        knowledge.delete_point(used.parent, by=city.bureau)  # its points' items: 数与运算 twice, 函数
    with pytest.raises(ValidationError, match="能力层级“了解”已被 1 道题使用"):
        knowledge.delete_ability(AbilityLevel.objects.get(name="了解"), by=city.bureau)
    unused = KnowledgePoint.objects.filter(subject=maths(), district__isnull=True, parent__isnull=False).exclude(
        blueprintitem__isnull=False
    )[0]
    knowledge.delete_point(unused, by=city.bureau)
    assert not KnowledgePoint.objects.filter(pk=unused.pk).exists()
    assert AuditEntry.objects.filter(model_label="monitoring.KnowledgePoint", action="delete").count() == 1


# ---- A district's own tree -------------------------------------------------------------------------
def test_a_districts_copied_tree_is_the_one_its_own_exams_name_points_from(city):
    district = city.school_a.district
    count = knowledge.copy_city_tree(subject_id=maths().pk, district_id=district.pk, by=city.bureau)
    assert count == len(knowledge.tree(maths().pk, None))
    with pytest.raises(ValidationError, match="已有该学科的知识点体系"):
        knowledge.copy_city_tree(subject_id=maths().pk, district_id=district.pk, by=city.bureau)
    own_domain = KnowledgePoint.objects.get(subject=maths(), district=district, name="数与代数")
    knowledge.save_point(
        KnowledgePoint(subject=maths(), district=district, parent=own_domain, name="区本知识点"), by=city.bureau
    )

    own_exam = make_exam(schools=[city.school_a], code="JC-OWN")
    neighbour = SchoolFactory(district=district)
    own_exam.schools.add(neighbour)
    city_exam = make_exam(schools=[city.school_a, SchoolFactory()], code="JC-CITY")
    own_points = blueprint.knowledge_points_for(own_exam.subjects.get(subject__code="SX"))
    city_points = blueprint.knowledge_points_for(city_exam.subjects.get(subject__code="SX"))
    assert "区本知识点" in {p.name for p in own_points} and {p.district_id for p in own_points} == {district.pk}
    assert "区本知识点" not in {p.name for p in city_points} and {p.district_id for p in city_points} == {None}


# ---- Pages -----------------------------------------------------------------------------------------
def test_the_bureau_adds_renames_and_exports_points_and_a_principal_only_reads(city, login):
    bureau = login(city.bureau)
    page = bureau.get(reverse("monitoring:knowledge-tree"), {"subject": maths().pk})
    assert page.status_code == 200 and "数与代数" in page.content.decode()
    domain = KnowledgePoint.objects.get(subject=maths(), district__isnull=True, name="数与代数")
    response = bureau.post(
        reverse("monitoring:knowledge-tree"),
        {"subject": maths().pk, "point-name": "数学文化", "point-parent": domain.pk, "point-order": 9},
        follow=True,
    )
    assert "已添加知识点“数学文化”" in response.content.decode()
    added = KnowledgePoint.objects.get(name="数学文化", parent=domain)
    again = bureau.post(
        reverse("monitoring:knowledge-tree"),
        {"subject": maths().pk, "point-name": "数学文化", "point-parent": domain.pk, "point-order": 9},
    )
    assert "已有名为“数学文化”的知识点" in again.content.decode()
    assert KnowledgePoint.objects.filter(name="数学文化").count() == 1

    bureau.post(
        reverse("monitoring:knowledge-point-edit", args=[added.pk]),
        {"point-name": "数学史与数学文化", "point-parent": domain.pk, "point-order": 9},
    )
    added.refresh_from_db()
    assert added.name == "数学史与数学文化"
    assert AuditEntry.objects.filter(model_label="monitoring.KnowledgePoint", action="update").exists()

    export = bureau.get(reverse("monitoring:knowledge-tree"), {"subject": maths().pk, "export": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(export.content))["知识点体系"].values)
    assert rows[0] == ("领域", "知识点", "顺序", "细目表使用题数")
    assert (None, "数学史与数学文化", 9, 0) in rows

    principal = login(city.principal_a)
    read = principal.get(reverse("monitoring:knowledge-tree"), {"subject": maths().pk}).content.decode()
    assert "数学史与数学文化" in read and "添加领域或知识点" not in read
    refused = principal.post(
        reverse("monitoring:knowledge-tree"), {"subject": maths().pk, "point-name": "偷加", "point-order": 1}
    )
    assert refused.status_code == 403 and not KnowledgePoint.objects.filter(name="偷加").exists()


def test_the_bureau_keeps_the_ability_levels(city, login):
    bureau = login(city.bureau)
    bureau.post(reverse("monitoring:ability-create"), {"ability-name": "综合", "ability-order": 9})
    assert AbilityLevel.objects.filter(name="综合").exists()
    again = bureau.post(reverse("monitoring:ability-create"), {"ability-name": "综合", "ability-order": 9})
    assert "已有名为“综合”的能力层级。" in again.content.decode()
    assert AbilityLevel.objects.filter(name="综合").count() == 1
    level = AbilityLevel.objects.get(name="综合")
    response = bureau.post(reverse("monitoring:ability-delete", args=[level.pk]), follow=True)
    assert "已删除能力层级“综合”" in response.content.decode()
    assert not AbilityLevel.objects.filter(name="综合").exists()
