"""Excel imports of schools and teachers: every row validated, then one atomic save."""

from collections import Counter

from django.urls import reverse

from eduquality import audit, jobs
from eduquality.excel import Problem, Table, TemplateColumn, text_of
from eduquality.imports import ImportOutcome, TableImporter, run_import_job
from schools import codes
from schools.models import (
    District,
    Honour,
    School,
    SchoolOperator,
    SchoolType,
    Subject,
    Teacher,
    TeacherHonour,
    TeacherTitle,
    UrbanRuralType,
    Zone,
)

YES = {"是", "Y", "y", "1", "true", "TRUE", "√"}
NO = {"否", "N", "n", "0", "false", "FALSE", ""}
LIST_SEPARATORS = ("、", ",", "，", ";", "；", "/")


def split_list(value) -> list[str]:
    text = text_of(value)
    for separator in LIST_SEPARATORS[1:]:
        text = text.replace(separator, LIST_SEPARATORS[0])
    return [item.strip() for item in text.split(LIST_SEPARATORS[0]) if item.strip()]


def code_prefix(value) -> str:
    """'211 小学' or '211' → '211'."""
    return text_of(value).split(" ")[0].strip()


class _RowReader:
    """Reads one row's cells by header and collects the problems found in it."""

    def __init__(self, header: list[str], number: int, values: list):
        self.number = number
        self._values = dict(zip(header, values, strict=False))
        self.problems: list[Problem] = []

    def text(self, column: str) -> str:
        return text_of(self._values.get(column))

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.number, column, message))

    def required(self, column: str) -> str:
        value = self.text(column)
        if not value:
            self.problem(column, f"“{column}”不能为空。")
        return value


def _duplicates(rows: list[tuple[int, str]], column: str, what: str) -> list[Problem]:
    counts = Counter(value for _, value in rows if value)
    return [
        Problem(number, column, f"{what}“{value}”在表中重复出现（共 {counts[value]} 次）。")
        for number, value in rows
        if value and counts[value] > 1
    ]


# ---- Schools --------------------------------------------------------------------------------------

SCHOOL_FIELDS = [
    "name",
    "school_type",
    "district",
    "zone",
    "urban_rural",
    "operator",
    "is_city_direct",
    "address",
    "phone",
]


class SchoolImporter(TableImporter):
    title = "学校导入模板"

    @property
    def columns(self):
        leaf_types = SchoolType.objects.filter(code__regex=r"^\d{3}$").order_by("code")
        return [
            TemplateColumn(
                "学校标识码", 14, note="10位数字：2位学校类别（同办学类型前两位）+2位省份+6位序号", text=True
            ),
            TemplateColumn("学校名称", 28),
            TemplateColumn("办学类型", 22, choices=[f"{t.code} {t.name}" for t in leaf_types]),
            TemplateColumn("区县", 16, choices=list(District.objects.values_list("name", flat=True))),
            TemplateColumn("教研片区", 18, note="可空；须属于所填区县"),
            TemplateColumn(
                "城乡分类",
                16,
                choices=[f"{u.code} {u.name}" for u in UrbanRuralType.objects.filter(code__regex=r"^\d{3}$")],
            ),
            TemplateColumn("办别", 10, choices=[o.name for o in SchoolOperator.objects.all()]),
            TemplateColumn("市直", 8, choices=["是", "否"]),
            TemplateColumn("地址", 30),
            TemplateColumn("联系电话", 16, text=True),
        ]

    optional_headers = ("教研片区", "城乡分类", "办别", "市直", "地址", "联系电话")
    examples = [["2122000101", "白山市示范小学", "211 小学", "浑江区", "", "111 主城区", "公办", "是", "", ""]]

    def validate(self, table: Table, report) -> tuple[list, list[Problem]]:
        types = {t.code: t for t in SchoolType.objects.filter(code__regex=r"^\d{3}$")}
        districts = {}
        for district in District.objects.all():
            districts[district.name] = district
            districts[district.code] = district
        zones = {(z.district_id, z.name): z for z in Zone.objects.all()}
        urban_rural = {u.code: u for u in UrbanRuralType.objects.all()}
        operators = {o.name: o for o in SchoolOperator.objects.all()}
        cleaned, problems, codes_seen = [], [], []
        for number, values in table.rows:
            row = _RowReader(table.header, number, values)
            code = row.required("学校标识码")
            name = row.required("学校名称")
            school_type = types.get(code_prefix(row.text("办学类型")))
            if not school_type:
                row.problem("办学类型", f"办学类型“{row.text('办学类型')}”不在办学类型代码表中。")
            district = districts.get(row.text("区县"))
            if not district:
                row.problem("区县", f"区县“{row.text('区县')}”不存在，请先在“区县”中添加。")
            if code:
                for message in codes.school_code_problems(
                    code,
                    type_prefix=school_type.identifier_prefix if school_type else None,
                    province_code=district.province_code if district else None,
                ):
                    row.problem("学校标识码", message)
            zone = None
            if row.text("教研片区") and district:
                zone = zones.get((district.id, row.text("教研片区")))
                if not zone:
                    row.problem("教研片区", f"{district.name}没有名为“{row.text('教研片区')}”的教研片区。")
            urban = None
            if row.text("城乡分类"):
                urban = urban_rural.get(code_prefix(row.text("城乡分类")))
                if not urban:
                    row.problem("城乡分类", f"城乡分类“{row.text('城乡分类')}”不在代码表中。")
            operator = None
            if row.text("办别"):
                operator = operators.get(row.text("办别"))
                if not operator:
                    row.problem("办别", f"办别“{row.text('办别')}”不在代码表中（如：公办、民办）。")
            city_direct = row.text("市直")
            if city_direct not in YES | NO:
                row.problem("市直", "“市直”请填“是”或“否”。")
            codes_seen.append((number, code))
            problems.extend(row.problems)
            if not row.problems:
                cleaned.append(
                    {
                        "code": code,
                        "name": name,
                        "school_type": school_type,
                        "district": district,
                        "zone": zone,
                        "urban_rural": urban,
                        "operator": operator,
                        "is_city_direct": city_direct in YES,
                        "address": row.text("地址"),
                        "phone": row.text("联系电话"),
                    }
                )
        problems.extend(_duplicates(codes_seen, "学校标识码", "学校标识码"))
        return cleaned, problems

    def save(self, cleaned: list, *, actor) -> ImportOutcome:
        outcome = ImportOutcome()
        existing = {school.code: school for school in School.objects.select_related(*_SCHOOL_RELATED)}
        for data in cleaned:
            school = existing.get(data["code"])
            if school is None:
                school = School(**data)
                school.full_clean()
                school.save()
                audit.record(actor=actor, action="import", instance=school, note="Excel 导入新建")
                outcome.created += 1
                continue
            before = audit.snapshot(school, SCHOOL_FIELDS)
            for field, value in data.items():
                setattr(school, field, value)
            changes = audit.changes_between(before, audit.snapshot(school, SCHOOL_FIELDS))
            if not changes:
                outcome.unchanged += 1
                continue
            school.full_clean()
            school.save()
            audit.record(actor=actor, action="import", instance=school, changes=changes, note="Excel 导入更新")
            outcome.updated += 1
        return outcome


_SCHOOL_RELATED = ("school_type", "district", "zone", "urban_rural", "operator")


# ---- Teachers -------------------------------------------------------------------------------------

TEACHER_FIELDS = ["name", "gender", "school", "title", "phone", "subjects"]
GENDERS = {"男": "M", "女": "F", "": ""}


class TeacherImporter(TableImporter):
    title = "教师导入模板"

    @property
    def columns(self):
        return [
            TemplateColumn("教师工号", 14, note="每位教师唯一；已存在的工号将更新该教师", text=True),
            TemplateColumn("姓名", 12),
            TemplateColumn("性别", 8, choices=["男", "女"]),
            TemplateColumn("学校标识码", 14, text=True),
            TemplateColumn("职称", 16, choices=list(TeacherTitle.objects.values_list("name", flat=True))),
            TemplateColumn("任教学科", 20, note="多个学科用顿号分隔，如：语文、数学"),
            TemplateColumn("荣誉称号", 24, note="多个用顿号分隔，如：骨干教师、学科带头人"),
            TemplateColumn("手机号", 16, text=True),
        ]

    optional_headers = ("性别", "职称", "任教学科", "荣誉称号", "手机号")
    examples = [["T0000001", "王老师", "女", "2122000101", "一级教师", "语文", "骨干教师", ""]]

    def validate(self, table: Table, report) -> tuple[list, list[Problem]]:
        schools = {s.code: s for s in School.objects.all()}
        titles = {t.name: t for t in TeacherTitle.objects.all()}
        subjects = {s.name: s for s in Subject.objects.all()}
        honours = {h.name: h for h in Honour.objects.all()}
        cleaned, problems, numbers_seen = [], [], []
        for number, values in table.rows:
            row = _RowReader(table.header, number, values)
            staff_number = row.required("教师工号")
            name = row.required("姓名")
            school = schools.get(row.text("学校标识码"))
            if row.text("学校标识码") and school is None:
                row.problem("学校标识码", f"学校标识码“{row.text('学校标识码')}”不存在。")
            elif not row.text("学校标识码"):
                row.problem("学校标识码", "“学校标识码”不能为空。")
            gender = row.text("性别")
            if gender not in GENDERS:
                row.problem("性别", "性别请填“男”或“女”。")
            title = None
            if row.text("职称"):
                title = titles.get(row.text("职称"))
                if not title:
                    row.problem("职称", f"职称“{row.text('职称')}”不在职称表中。")
            subject_list = []
            for subject_name in split_list(row.text("任教学科")):
                if subject_name in subjects:
                    subject_list.append(subjects[subject_name])
                else:
                    row.problem("任教学科", f"学科“{subject_name}”不存在。")
            honour_list = []
            for honour_name in split_list(row.text("荣誉称号")):
                if honour_name in honours:
                    honour_list.append(honours[honour_name])
                else:
                    row.problem("荣誉称号", f"荣誉称号“{honour_name}”不存在。")
            numbers_seen.append((number, staff_number))
            problems.extend(row.problems)
            if not row.problems:
                cleaned.append(
                    {
                        "staff_number": staff_number,
                        "name": name,
                        "gender": GENDERS[gender],
                        "school": school,
                        "title": title,
                        "phone": row.text("手机号"),
                        "subjects": subject_list,
                        "honours": honour_list,
                    }
                )
        problems.extend(_duplicates(numbers_seen, "教师工号", "教师工号"))
        return cleaned, problems

    def save(self, cleaned: list, *, actor) -> ImportOutcome:
        outcome = ImportOutcome()
        existing = {
            t.staff_number: t
            for t in Teacher.objects.filter(staff_number__in=[c["staff_number"] for c in cleaned])
            .select_related("school", "title")
            .prefetch_related("subjects", "honours")
        }
        for data in cleaned:
            subjects = data.pop("subjects")
            honours = data.pop("honours")
            teacher = existing.get(data["staff_number"])
            created = teacher is None
            before = {} if created else audit.snapshot(teacher, TEACHER_FIELDS)
            teacher = teacher or Teacher()
            for field, value in data.items():
                setattr(teacher, field, value)
            teacher.full_clean(exclude=["user"])
            teacher.save()
            teacher.subjects.set(subjects)
            held = set(teacher.honours.values_list("pk", flat=True))
            TeacherHonour.objects.bulk_create(
                [TeacherHonour(teacher=teacher, honour=h, source="Excel 导入") for h in honours if h.pk not in held]
            )
            if created:
                audit.record(actor=actor, action="import", instance=teacher, note="Excel 导入新建")
                outcome.created += 1
                continue
            changes = audit.changes_between(before, audit.snapshot(teacher, TEACHER_FIELDS))
            if changes:
                audit.record(actor=actor, action="import", instance=teacher, changes=changes, note="Excel 导入更新")
                outcome.updated += 1
            else:
                outcome.unchanged += 1
        return outcome


@jobs.job_handler("schools.import_schools")
def import_schools_job(job, report) -> None:
    run_import_job(SchoolImporter(), job, report)
    job.result_url = reverse("schools:school-list")


@jobs.job_handler("schools.import_teachers")
def import_teachers_job(job, report) -> None:
    run_import_job(TeacherImporter(), job, report)
    job.result_url = reverse("schools:teacher-list")
