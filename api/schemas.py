"""What the API answers and accepts. Figures are numbers (rates as shares, 0.8532 = 85.32%);
no schema carries a student's row (学生个人成绩与排名不公开)."""

from datetime import date, datetime
from uuid import UUID

from ninja import Field, Schema

from monitoring.rules import PLACE_RANK


class DistrictOut(Schema):
    id: int
    code: str = Field(description="行政区划代码（GB/T 2260）")
    name: str


class SchoolOut(Schema):
    id: int
    code: str = Field(description="学校标识码")
    name: str
    school_type: str = Field(alias="school_type_id", description="办学类型代码")
    district_id: int
    district_code: str = Field(alias="district.code")
    zone: str | None = Field(description="教研片区")
    urban_rural: str | None = Field(alias="urban_rural_id", description="城乡分类代码")
    operator: str | None = Field(alias="operator_id", description="办别代码")
    is_city_direct: bool
    address: str
    phone: str
    is_active: bool

    @staticmethod
    def resolve_zone(school) -> str | None:
        return school.zone.name if school.zone_id else None


class SemesterOut(Schema):
    id: int
    start_year: int
    term: int
    label: str
    starts_on: date | None
    ends_on: date | None
    is_current: bool

    @staticmethod
    def resolve_label(semester) -> str:
        return str(semester)


class SubjectOut(Schema):
    id: int
    code: str
    name: str
    order: int


class ExamSubjectOut(Schema):
    id: int
    subject_id: int
    subject_code: str = Field(alias="subject.code")
    subject_name: str = Field(alias="subject.name")
    full_marks: float
    excellent_share: float = Field(description="优秀线（满分的比例）")
    good_share: float
    pass_share: float
    low_share: float


class ExamOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    semester_id: int
    grade: int
    held_on: date | None
    status: str = Field(description="draft 待导入成绩 / computing 统计中 / ready 已统计")
    computed_at: datetime | None
    subjects: list[ExamSubjectOut]

    @staticmethod
    def resolve_subjects(exam) -> list:
        return list(exam.subjects.all())


class StatisticOut(Schema):
    id: int
    exam_id: int
    exam_subject_id: int | None
    subject_code: str | None = Field(description="学科代码；null 为全科（总分）")
    level: str = Field(description="city 全市 / district 区县 / school 学校 / class 班级")
    district_id: int | None
    school_id: int | None
    school_class_id: int | None
    category: str = Field(description="学校类别（同类学校比较）")
    sitters: int = Field(description="参考人数")
    absentees: int = Field(description="缺考人数")
    mean: float | None
    sd: float | None
    max: float | None
    min: float | None
    excellent_rate: float | None
    good_rate: float | None
    pass_rate: float | None
    low_rate: float | None
    score_rate: float | None
    all_pass_rate: float | None
    rank: int | None = Field(description="同类学校排名（学校层级）；该监测以等级代替排名时为 null")
    ranked_schools: int = Field(description="同类参与排名学校数；以等级代替排名时为 0")
    grade: str | None = Field(description="等级（按得分率 A/B/C/D）")
    deviation: float | None = Field(description="离均差")
    t_score: float | None = Field(description="标准分")

    @staticmethod
    def resolve_subject_code(stat) -> str | None:
        return stat.exam_subject.subject.code if stat.exam_subject_id else None

    @staticmethod
    def resolve_rank(stat) -> int | None:
        # The caller sees this row at all only as a bureau role or as the school's own staff
        # (monitoring.selectors.statistics_for): the exam's policy decides place or grade.
        return stat.rank if stat.exam.place_shown(sees_all_schools=False, own_school=True) == PLACE_RANK else None

    @staticmethod
    def resolve_ranked_schools(stat) -> int:
        return (
            stat.ranked_schools if stat.exam.place_shown(sees_all_schools=False, own_school=True) == PLACE_RANK else 0
        )

    @staticmethod
    def resolve_grade(stat) -> str | None:
        return stat.grade_letter or None


class StarRatingOut(Schema):
    id: int
    school_id: int
    school_code: str = Field(alias="school.code")
    start_year: int = Field(description="学年起始年份")
    visit_count: int
    mean_total: float
    star_level: int = Field(description="星级（0–5）")
    target_level: int = Field(description="达标星级")
    below_target: bool


class WarningOut(Schema):
    id: int
    exam_id: int
    school_id: int
    school_code: str = Field(alias="school.code")
    subject_code: str | None
    kind: str = Field(description="consecutive_bottom / multi_subject_bottom / sharp_fall")
    kind_label: str
    reason: str
    created_at: datetime

    @staticmethod
    def resolve_subject_code(warning) -> str | None:
        return warning.exam_subject.subject.code if warning.exam_subject_id else None

    @staticmethod
    def resolve_kind_label(warning) -> str:
        return warning.get_kind_display()


class IndicatorOut(Schema):
    id: int
    code: str
    name: str
    unit: str
    direction: str = Field(description="gte 不低于 / lte 不高于")
    line: float = Field(description="达标线")
    stages: str
    description: str


class IndicatorReportOut(Schema):
    id: int
    school_id: int
    indicator_id: int
    indicator_code: str = Field(alias="indicator.code")
    start_year: int
    value: float
    note: str
    filed_at: datetime


class ReportOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str = Field(description="draft 草稿 / submitted 已提交 / returned 已退回 / accepted 已通过")
    status_label: str
    school_id: int | None
    subject_id: int | None
    district_id: int | None
    semester_id: int | None
    start_year: int
    submitted_at: datetime | None
    reviewed_at: datetime | None

    @staticmethod
    def resolve_kind_label(report) -> str:
        return report.get_kind_display()

    @staticmethod
    def resolve_status_label(report) -> str:
        return report.get_status_display()


class JobProblemOut(Schema):
    row: int | None = None
    column: str = ""
    message: str


class JobOut(Schema):
    id: UUID
    kind: str
    title: str
    status: str = Field(description="pending 排队中 / running 进行中 / succeeded 已完成 / failed 失败")
    status_label: str
    progress: int = Field(description="进度（百分比）")
    message: str
    finished: bool
    problems: list[JobProblemOut] = Field(description="导入发现的问题（行号、列、说明）")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_status_label(job) -> str:
        return job.get_status_display()

    @staticmethod
    def resolve_finished(job) -> bool:
        return job.is_finished


class SchoolIn(Schema):
    code: str = Field(min_length=1, max_length=10, description="学校标识码（10位）")
    name: str = Field(min_length=1, max_length=60)
    school_type: str = Field(min_length=1, max_length=3, description="办学类型代码，如 211")
    district: str = Field(min_length=1, max_length=30, description="区县名称或行政区划代码")
    zone: str = Field("", max_length=40, description="教研片区名称，可空")
    urban_rural: str = Field("", max_length=3, description="城乡分类代码，可空")
    operator: str = Field("", max_length=30, description="办别名称（公办、民办…），可空")
    is_city_direct: bool = False
    address: str = Field("", max_length=120)
    phone: str = Field("", max_length=30)


class SchoolUpsertIn(Schema):
    schools: list[SchoolIn] = Field(min_length=1, max_length=2000)


class SchoolUpsertOut(Schema):
    created: int
    updated: int
    unchanged: int
    summary: str
