"""Loads the reference tables from schools/data/*.csv (copied from the project's shared data, with
their sources in schools/data/README.md). Used by a data migration; safe to run again."""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

# Honours the seeds name (seed 000 §二(五), seed 002 §二–三, seed 003).
HONOURS = ["学科首席教师", "学科带头人", "骨干教师", "教坛新星", "优秀教师", "优秀班主任", "教学能手"]

_ORDER_OF_SUBJECTS = ["YW", "SX", "YY", "DF", "ZZ", "WL", "HX", "SW", "LS", "DL", "KX", "XK", "XX", "TJ"]


def read_csv(name: str) -> list[dict]:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _stage_flags(stage_text: str) -> dict:
    return {
        "in_primary": "小学" in stage_text,
        "in_junior": "初中" in stage_text,
        "in_senior": "高中" in stage_text,
    }


def load_reference_data(apps) -> None:
    SchoolType = apps.get_model("schools", "SchoolType")
    UrbanRuralType = apps.get_model("schools", "UrbanRuralType")
    SchoolOperator = apps.get_model("schools", "SchoolOperator")
    TeacherTitle = apps.get_model("schools", "TeacherTitle")
    Subject = apps.get_model("schools", "Subject")
    Honour = apps.get_model("schools", "Honour")

    types = sorted(read_csv("school_types_bxlx.csv"), key=lambda row: len(row["code"]))
    for row in types:
        SchoolType.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "parent_id": row["parent_code"] or None,
                "stages": row["stages"],
                "identifier_prefix": row["identifier_prefix"],
            },
        )
    for row in read_csv("urban_rural_codes.csv"):
        UrbanRuralType.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "statistics_bucket": row["edu_stat_bucket"]}
        )
    for row in read_csv("school_run_by_xxbb.csv"):
        SchoolOperator.objects.update_or_create(code=row["code"], defaults={"name": row["name"]})
    for row in read_csv("teacher_titles.csv"):
        TeacherTitle.objects.update_or_create(
            name=row["name"], defaults={"level": row["level"], "order": int(row["order"])}
        )

    def order_of(code: str) -> int:
        return _ORDER_OF_SUBJECTS.index(code) if code in _ORDER_OF_SUBJECTS else 50

    for row in read_csv("subjects_compulsory_2022.csv"):
        Subject.objects.update_or_create(
            code=row["suggested_code"],
            defaults={
                "name": row["name"],
                "grades": row["grades"],
                "commonly_monitored": row["exam_in_quality_monitoring_typical"].startswith("yes"),
                "order": order_of(row["suggested_code"]),
                **_stage_flags(row["stage"]),
            },
        )
    for row in read_csv("subjects_senior_high_2017_2020.csv"):
        subject, created = Subject.objects.get_or_create(
            code=row["suggested_code"],
            defaults={"name": row["name"], "grades": "10-12", "order": order_of(row["suggested_code"])},
        )
        subject.in_senior = True
        if created:
            subject.commonly_monitored = row["suggested_code"] in _ORDER_OF_SUBJECTS
        subject.save()
    for index, name in enumerate(HONOURS):
        Honour.objects.update_or_create(name=name, defaults={"order": index})
