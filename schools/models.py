"""The registry (学校基础信息): districts, schools, semesters, subjects, classes, teachers, students,
and the roles that tie a user to a school."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import Q

from schools import codes
from schools.scoping import (
    SchoolClassQuerySet,
    SchoolQuerySet,
    StudentQuerySet,
    TeacherQuerySet,
    TeachingGroupQuerySet,
)


class Stage(models.TextChoices):
    """学段."""

    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中"


GRADE_CHOICES = [(number, codes.grade_label(number)) for number in range(1, 13)]


# ---- Reference tables loaded from schools/data/*.csv by a data migration -------------------------


class SchoolType(models.Model):
    """办学类型 (教育部教育统计代码)."""

    code = models.CharField("代码", max_length=3, primary_key=True)
    name = models.CharField("名称", max_length=40)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, verbose_name="上级")
    stages = models.CharField("学段", max_length=40, blank=True)
    identifier_prefix = models.CharField("标识码前两位", max_length=2, blank=True)

    class Meta:
        verbose_name = "办学类型"
        verbose_name_plural = "办学类型"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_leaf(self) -> bool:
        return len(self.code) == 3


class UrbanRuralType(models.Model):
    """城乡分类代码 (国家统计局)."""

    code = models.CharField("代码", max_length=3, primary_key=True)
    name = models.CharField("名称", max_length=20)
    statistics_bucket = models.CharField("统计口径", max_length=10, blank=True)

    class Meta:
        verbose_name = "城乡分类"
        verbose_name_plural = "城乡分类"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SchoolOperator(models.Model):
    """学校办别 (公办/民办 …)."""

    code = models.CharField("代码", max_length=2, primary_key=True)
    name = models.CharField("名称", max_length=30)

    class Meta:
        verbose_name = "学校办别"
        verbose_name_plural = "学校办别"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class TeacherTitle(models.Model):
    """职称 (人社部发〔2015〕79号)."""

    name = models.CharField("名称", max_length=30, unique=True)
    level = models.CharField("级别", max_length=10, blank=True)
    order = models.PositiveSmallIntegerField("排序", unique=True)

    class Meta:
        verbose_name = "职称"
        verbose_name_plural = "职称"
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class Subject(models.Model):
    """学科, with the stages that teach it (2022 compulsory plan, 2017/2020 senior-high plan)."""

    code = models.CharField("代码", max_length=8, unique=True)
    name = models.CharField("名称", max_length=20, unique=True)
    in_primary = models.BooleanField("小学开设", default=False)
    in_junior = models.BooleanField("初中开设", default=False)
    in_senior = models.BooleanField("高中开设", default=False)
    grades = models.CharField("开设年级", max_length=40, blank=True)
    commonly_monitored = models.BooleanField("常列入质量监测", default=False)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "学科"
        verbose_name_plural = "学科"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def stage_labels(self) -> str:
        flags = [(self.in_primary, "小学"), (self.in_junior, "初中"), (self.in_senior, "高中")]
        return "、".join(label for offered, label in flags if offered)


class Honour(models.Model):
    """荣誉称号 (学科带头人, 骨干教师, 教坛新星, 学科首席教师 …)."""

    name = models.CharField("名称", max_length=30, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "荣誉称号"
        verbose_name_plural = "荣誉称号"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


# ---- Places and time ------------------------------------------------------------------------------


class District(models.Model):
    """区县, by its GB/T 2260 code."""

    code = models.CharField(
        "行政区划代码",
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", "行政区划代码应为6位数字（GB/T 2260）。")],
    )
    name = models.CharField("名称", max_length=30)

    class Meta:
        verbose_name = "区县"
        verbose_name_plural = "区县"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def province_code(self) -> str:
        return self.code[:2]


class Zone(models.Model):
    """教研片区/协作区 within a district."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="zones", verbose_name="区县")
    name = models.CharField("名称", max_length=40)

    class Meta:
        verbose_name = "教研片区"
        verbose_name_plural = "教研片区"
        ordering = ["district__code", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="zone_unique_name_in_district")]

    def __str__(self) -> str:
        return self.name


class Semester(models.Model):
    """学期: an academic year (by its start year) and a term; exactly one is current."""

    class Term(models.IntegerChoices):
        FIRST = 1, "第一学期"
        SECOND = 2, "第二学期"

    start_year = models.PositiveSmallIntegerField("学年起始年份")
    term = models.PositiveSmallIntegerField("学期", choices=Term.choices)
    starts_on = models.DateField("开始日期", null=True, blank=True)
    ends_on = models.DateField("结束日期", null=True, blank=True)
    is_current = models.BooleanField("当前学期", default=False)

    class Meta:
        verbose_name = "学期"
        verbose_name_plural = "学期"
        ordering = ["-start_year", "-term"]
        constraints = [
            models.UniqueConstraint(fields=["start_year", "term"], name="semester_unique_year_term"),
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="semester_one_current"),
        ]

    def __str__(self) -> str:
        return codes.semester_label(self.start_year, self.term)

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            if self.is_current:
                Semester.objects.filter(is_current=True).exclude(pk=self.pk).update(is_current=False)
            super().save(*args, **kwargs)

    @property
    def academic_year_label(self) -> str:
        return codes.academic_year_label(self.start_year)

    def validate_constraints(self, exclude=None) -> None:
        # Becoming current demotes the previous current semester in save(): not a user error.
        if self.is_current:
            exclude = {*(exclude or ()), "is_current"}
        super().validate_constraints(exclude=exclude)

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.starts_on >= self.ends_on:
            raise ValidationError({"ends_on": "结束日期应晚于开始日期。"})


# ---- Schools and people ---------------------------------------------------------------------------


class School(models.Model):
    code = models.CharField(
        "学校标识码", max_length=10, unique=True, error_messages={"unique": "学校标识码已被其他学校使用。"}
    )
    name = models.CharField("学校名称", max_length=60)
    school_type = models.ForeignKey(
        SchoolType, on_delete=models.PROTECT, verbose_name="办学类型", limit_choices_to={"code__regex": r"^\d{3}$"}
    )
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="schools", verbose_name="区县")
    zone = models.ForeignKey(
        Zone, on_delete=models.SET_NULL, null=True, blank=True, related_name="schools", verbose_name="教研片区"
    )
    urban_rural = models.ForeignKey(
        UrbanRuralType, on_delete=models.PROTECT, null=True, blank=True, verbose_name="城乡分类"
    )
    operator = models.ForeignKey(SchoolOperator, on_delete=models.PROTECT, null=True, blank=True, verbose_name="办别")
    is_city_direct = models.BooleanField("市直学校", default=False)
    address = models.CharField("地址", max_length=120, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    is_active = models.BooleanField("在办", default=True)

    objects = SchoolQuerySet.as_manager()

    class Meta:
        verbose_name = "学校"
        verbose_name_plural = "学校"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def category_code(self) -> str:
        """同类学校: schools of one 办学类型 middle class (21 小学, 31 初中, 34 高中, 51 特教)."""
        return self.school_type_id[:2]

    @property
    def category_label(self) -> str:
        return codes.SCHOOL_CATEGORIES.get(self.category_code, "")

    def clean(self) -> None:
        errors = codes.school_code_problems(
            self.code,
            type_prefix=self.school_type.identifier_prefix if self.school_type_id else None,
            province_code=self.district.province_code if self.district_id else None,
        )
        if errors:
            raise ValidationError({"code": errors})
        if self.zone_id and self.district_id and self.zone.district_id != self.district_id:
            raise ValidationError({"zone": "教研片区不属于所选区县。"})
        if self.school_type_id and len(self.school_type_id) != 3:
            raise ValidationError({"school_type": "请选择具体的办学类型（三位代码）。"})


class SchoolClass(models.Model):
    """班级 of one academic year."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes", verbose_name="学校")
    start_year = models.PositiveSmallIntegerField("学年起始年份")
    grade = models.PositiveSmallIntegerField("年级", choices=GRADE_CHOICES)
    number = models.PositiveSmallIntegerField("班号")
    head_teacher = models.ForeignKey(
        "Teacher", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="班主任"
    )

    objects = SchoolClassQuerySet.as_manager()

    class Meta:
        verbose_name = "班级"
        verbose_name_plural = "班级"
        ordering = ["school__code", "-start_year", "grade", "number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "start_year", "grade", "number"], name="class_unique_in_school")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return codes.class_label(self.grade, self.number)

    @property
    def stage(self) -> str:
        return codes.stage_of_grade(self.grade)


class Teacher(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="teachers", verbose_name="学校")
    staff_number = models.CharField("教师工号", max_length=20, unique=True)
    name = models.CharField("姓名", max_length=30)
    gender = models.CharField("性别", max_length=1, choices=[("M", "男"), ("F", "女")], blank=True)
    title = models.ForeignKey(TeacherTitle, on_delete=models.PROTECT, null=True, blank=True, verbose_name="职称")
    subjects = models.ManyToManyField(Subject, blank=True, related_name="teachers", verbose_name="任教学科")
    honours = models.ManyToManyField(
        Honour, through="TeacherHonour", blank=True, related_name="teachers", verbose_name="荣誉称号"
    )
    phone = models.CharField("手机号", max_length=20, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="teacher",
        verbose_name="登录账号",
    )
    is_active = models.BooleanField("在职", default=True)

    objects = TeacherQuerySet.as_manager()

    class Meta:
        verbose_name = "教师"
        verbose_name_plural = "教师"
        ordering = ["school__code", "staff_number"]

    def __str__(self) -> str:
        return self.name


class TeacherHonour(models.Model):
    """A teacher's honour, with the year it was conferred and where it came from."""

    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="honour_records")
    honour = models.ForeignKey(Honour, on_delete=models.PROTECT, verbose_name="荣誉称号")
    year = models.PositiveSmallIntegerField("授予年份", null=True, blank=True)
    source = models.CharField("来源", max_length=100, blank=True)

    class Meta:
        verbose_name = "教师荣誉"
        verbose_name_plural = "教师荣誉"
        constraints = [
            models.UniqueConstraint(fields=["teacher", "honour", "year"], name="teacher_honour_unique_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.teacher} {self.honour}"


class TeachingGroup(models.Model):
    """教研组: one per school and subject, with a leader."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="groups", verbose_name="学校")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, verbose_name="学科")
    leader = models.ForeignKey(
        Teacher, on_delete=models.SET_NULL, null=True, blank=True, related_name="led_groups", verbose_name="教研组长"
    )

    objects = TeachingGroupQuerySet.as_manager()

    class Meta:
        verbose_name = "教研组"
        verbose_name_plural = "教研组"
        ordering = ["school__code", "subject__order"]
        constraints = [models.UniqueConstraint(fields=["school", "subject"], name="group_unique_subject_in_school")]

    def __str__(self) -> str:
        return f"{self.school}{self.subject}教研组"

    def clean(self) -> None:
        if self.leader_id and self.school_id and self.leader.school_id != self.school_id:
            raise ValidationError({"leader": "教研组长须是本校教师。"})


class Student(models.Model):
    student_number = models.CharField(
        "学籍号",
        max_length=19,
        unique=True,
        validators=[RegexValidator(codes.STUDENT_NUMBER_PATTERN, codes.STUDENT_NUMBER_MESSAGE)],
    )
    name = models.CharField("姓名", max_length=30)
    gender = models.CharField("性别", max_length=1, choices=[("M", "男"), ("F", "女")], blank=True)
    # Checked by the database per statement, not per row (migration 0004): a score import creates
    # 200,000 students, and a foreign key's check of each row at commit cost two seconds of it.
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="students", verbose_name="学校", db_constraint=False
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="students",
        verbose_name="班级",
        db_constraint=False,
    )
    is_active = models.BooleanField("在籍", default=True)

    objects = StudentQuerySet.as_manager()

    class Meta:
        verbose_name = "学生"
        verbose_name_plural = "学生"
        ordering = ["school__code", "student_number"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.school_class_id and self.school_id and self.school_class.school_id != self.school_id:
            raise ValidationError({"school_class": "班级不属于该学生的学校。"})


class StudentInAdmin(Student):
    """学生 as the Django admin shows them (schools/admin.py): every place the admin names a student —
    page titles, breadcrumbs, the change history, its action log (django_admin_log keeps the name it
    is given) — gets the masked name, as the portal's pages do outside the owning school."""

    class Meta:
        proxy = True
        verbose_name = "学生"
        verbose_name_plural = "学生"

    def __str__(self) -> str:
        return codes.mask_name(self.name)


# ---- Roles ----------------------------------------------------------------------------------------


class Role(models.TextChoices):
    BUREAU = "bureau", "局机关人员"
    INSPECTOR = "inspector", "督学/教研员"
    PRINCIPAL = "principal", "校长"
    VICE_PRINCIPAL = "vice_principal", "副校长"
    ACADEMIC_LEAD = "academic_lead", "业务校长/教导主任"
    GROUP_LEADER = "group_leader", "教研组长"
    TEACHER = "teacher", "教师"


SCHOOL_ROLES = {Role.PRINCIPAL, Role.VICE_PRINCIPAL, Role.ACADEMIC_LEAD, Role.GROUP_LEADER, Role.TEACHER}


class RoleAssignment(models.Model):
    """A role a user holds: school roles name their school; a group leader also names a subject."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments", verbose_name="用户"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="role_assignments", verbose_name="学校"
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, null=True, blank=True, verbose_name="学科")

    class Meta:
        verbose_name = "角色分配"
        verbose_name_plural = "角色分配"
        constraints = [
            # One row per (user, role, school, subject); NULLs spelled out so SQLite agrees too.
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(school__isnull=True), name="role_unique_citywide"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "school"],
                condition=Q(school__isnull=False, subject__isnull=True),
                name="role_unique_in_school",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "school", "subject"],
                condition=Q(subject__isnull=False),
                name="role_unique_for_subject",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["bureau", "inspector"]) | Q(school__isnull=False),
                name="role_school_roles_need_school",
            ),
            models.CheckConstraint(
                condition=~Q(role="group_leader") | Q(subject__isnull=False),
                name="role_group_leader_needs_subject",
            ),
        ]

    def __str__(self) -> str:
        parts = [str(self.school or ""), str(self.subject or ""), self.get_role_display()]
        return "".join(parts)

    def clean(self) -> None:
        if self.role in SCHOOL_ROLES and not self.school_id:
            raise ValidationError({"school": "该角色须指定学校。"})
        if self.role == Role.GROUP_LEADER and not self.subject_id:
            raise ValidationError({"subject": "教研组长须指定学科。"})


# ---- Researcher liaison (教研员联系学校, 包级包科) -------------------------------------------------------


class ResearchLiaisonQuerySet(models.QuerySet):
    def on(self, day) -> "ResearchLiaisonQuerySet":
        """The assignments in force on `day` (an open end runs on)."""
        return self.filter(Q(starts_on__lte=day), Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class ResearchLiaison(models.Model):
    """A researcher (教研员) responsible for a school, for one subject or the whole school, for a period
    (seed 000 §三.2 教研员联系学校制度). Kept in the registry so every app can name who is responsible."""

    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="liaisons", verbose_name="教研员"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="liaisons", verbose_name="联系学校")
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, null=True, blank=True, verbose_name="包科学科（空=全校）"
    )
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)

    objects = ResearchLiaisonQuerySet.as_manager()

    class Meta:
        verbose_name = "教研员联系学校"
        verbose_name_plural = "教研员联系学校"
        ordering = ["school__code", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["researcher", "school", "subject", "starts_on"], name="liaison_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="liaison_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.researcher} → {self.school}{self.subject or '全校'}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "结束日期不能早于开始日期。"})


def responsible_researchers(school_ids, *, on) -> dict[int, list[str]]:
    """School id → the names of the researchers responsible for it on `day` ('姓名（学科）'); one query."""
    names: dict[int, list[str]] = {}
    rows = (
        ResearchLiaison.objects.on(on)
        .filter(school_id__in=school_ids)
        .select_related("researcher", "subject")
        .order_by("school_id", "subject__order", "researcher__username")
    )
    for row in rows:
        label = row.researcher.display_name + (f"（{row.subject.name}）" if row.subject_id else "（全校）")
        names.setdefault(row.school_id, []).append(label)
    return names
