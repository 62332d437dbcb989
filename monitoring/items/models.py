"""Models of paper analysis; imported by monitoring.models so Django finds them in the app."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce

from schools.models import District, School, SchoolClass, Student, Subject

_DERIVED_KEY = {"db_constraint": False, "db_index": False, "on_delete": models.CASCADE}


class HalfPointsField(models.Field):
    """A list of small integers: `smallint[]` in PostgreSQL (2 bytes an element, computed over in SQL),
    comma-separated text elsewhere (the SQLite demo). None elements are not allowed."""

    description = "small integers"

    def db_type(self, connection):
        return "smallint[]" if connection.vendor == "postgresql" else "text"

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        text = str(value).strip("{}")
        return [int(part) for part in text.split(",")] if text else []

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        if connection.vendor == "postgresql":
            return list(value)
        return ",".join(str(int(v)) for v in value)


class OptionMasksField(models.Field):
    """The options chosen on a paper's choice items, one byte each (a bit mask): `bytea` in PostgreSQL,
    a blob elsewhere; a list of small integers in Python."""

    description = "option masks"

    def db_type(self, connection):
        return "bytea" if connection.vendor == "postgresql" else "blob"

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        if isinstance(value, str):  # COPY text read back on SQLite: "\\x0102…"
            return list(bytes.fromhex(value.removeprefix("\\x")))
        return list(bytes(value))

    def get_db_prep_value(self, value, connection, prepared=False):
        return None if value is None else bytes(value)


class KnowledgePoint(models.Model):
    """知识点: a node of a subject's tree (a domain such as 数与代数, or a point under it). The city's
    tree has no district; a district may keep its own (每个区县可有自己的知识点体系)."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", verbose_name="学科")
    district = models.ForeignKey(
        District, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="区县"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children", verbose_name="上级"
    )
    name = models.CharField("名称", max_length=60)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "知识点"
        verbose_name_plural = "知识点"
        ordering = ["subject__order", "order", "pk"]
        constraints = [
            # NULL district (the city's tree) and NULL parent (a domain) compared as 0: one of each name.
            models.UniqueConstraint(
                "subject", Coalesce("district", 0), Coalesce("parent", 0), "name", name="knowledge_point_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AbilityLevel(models.Model):
    """能力层级 (了解/理解/掌握/运用 by default), editable by the bureau."""

    name = models.CharField("名称", max_length=20, unique=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "能力层级"
        verbose_name_plural = "能力层级"
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class BlueprintItem(models.Model):
    """One item (小题) of an exam subject's blueprint (双向细目表)."""

    class Kind(models.TextChoices):
        SINGLE = "single", "单选"
        MULTIPLE = "multiple", "多选"
        TRUE_FALSE = "truefalse", "判断"
        BLANK = "blank", "填空"
        ANSWER = "answer", "解答"
        ESSAY = "essay", "作文"
        OTHER = "other", "其他"

    exam_subject = models.ForeignKey(
        "monitoring.ExamSubject", on_delete=models.CASCADE, related_name="items", verbose_name="监测学科"
    )
    position = models.PositiveSmallIntegerField("序号")  # 0-based: the item's place in the score array
    label = models.CharField("题号", max_length=12)
    kind = models.CharField("题型", max_length=10, choices=Kind.choices)
    points = models.DecimalField("分值", max_digits=4, decimal_places=1)
    knowledge_point = models.ForeignKey(KnowledgePoint, on_delete=models.PROTECT, verbose_name="知识点")
    ability = models.ForeignKey(AbilityLevel, on_delete=models.PROTECT, verbose_name="能力层级")
    expected_difficulty = models.DecimalField(
        "预估难度",
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    answer_key = models.CharField("答案", max_length=8, blank=True)
    option_count = models.PositiveSmallIntegerField("选项数", default=4)
    partial_points = models.DecimalField(
        "多选部分得分", max_digits=4, decimal_places=1, null=True, blank=True, help_text="选对但不全的得分"
    )

    class Meta:
        verbose_name = "细目表题目"
        verbose_name_plural = "细目表题目"
        ordering = ["exam_subject", "position"]
        constraints = [
            models.UniqueConstraint(fields=["exam_subject", "position"], name="blueprint_item_position"),
            models.UniqueConstraint(fields=["exam_subject", "label"], name="blueprint_item_label"),
        ]

    def __str__(self) -> str:
        return f"第{self.label}题"

    @property
    def is_choice(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE, self.Kind.TRUE_FALSE)


class ItemScore(models.Model):
    """A student's item scores (小题分) in one exam subject: one row, the items in a smallint array of
    half points in blueprint order (2 bytes an item), and the options chosen on the choice items as
    bit masks (A = 1, B = 2, C = 4 …; 0 = none), a byte each, NULL when the sheet gave their scores only.
    Absent students have no row. Keyed and copied like Score (see there)."""

    pk = models.CompositePrimaryKey("exam_subject_id", "student_id")
    exam_subject = models.ForeignKey(
        "monitoring.ExamSubject",
        related_name="item_scores",
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
    )
    student = models.ForeignKey(Student, related_name="+", **_DERIVED_KEY)
    school = models.ForeignKey(School, related_name="+", **_DERIVED_KEY)
    school_class = models.ForeignKey(
        SchoolClass, null=True, related_name="+", db_constraint=False, db_index=False, on_delete=models.SET_NULL
    )
    points = HalfPointsField("小题得分（半分）")
    choices = OptionMasksField("选项（位掩码）", null=True)

    class Meta:
        verbose_name = "小题得分"
        verbose_name_plural = "小题得分"

    def __str__(self) -> str:
        return f"{self.student_id}: {self.points}"


class _UnitStatistic(models.Model):
    exam = models.ForeignKey("monitoring.Exam", related_name="+", **_DERIVED_KEY)
    exam_subject = models.ForeignKey("monitoring.ExamSubject", related_name="+", **_DERIVED_KEY)
    level = models.CharField("层级", max_length=10)
    district = models.ForeignKey(District, null=True, related_name="+", **_DERIVED_KEY)
    school = models.ForeignKey(School, null=True, related_name="+", **_DERIVED_KEY)
    school_class = models.ForeignKey(SchoolClass, null=True, related_name="+", **_DERIVED_KEY)
    sitters = models.PositiveIntegerField("参考人数", default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.exam_subject_id}/{self.level}/{self.school_id or ''}/{self.school_class_id or ''}"


class ItemStatistic(_UnitStatistic):
    """One item's figures in one unit (class, school, district, city)."""

    item = models.ForeignKey(BlueprintItem, related_name="+", **_DERIVED_KEY)
    mean = models.DecimalField("平均分", max_digits=6, decimal_places=2, null=True)
    difficulty = models.DecimalField("得分率（难度P）", max_digits=5, decimal_places=4, null=True)
    discrimination = models.DecimalField("区分度D", max_digits=5, decimal_places=4, null=True)
    item_rest = models.DecimalField("题总相关", max_digits=5, decimal_places=4, null=True)
    full_rate = models.DecimalField("满分率", max_digits=5, decimal_places=4, null=True)
    zero_rate = models.DecimalField("零分率", max_digits=5, decimal_places=4, null=True)
    # {"A": [all, top, bottom], …}: shares of the unit's sitters, its top and its bottom group.
    options = models.JSONField("选项分布", null=True)

    class Meta:
        verbose_name = "小题统计"
        verbose_name_plural = "小题统计"
        indexes = [models.Index(fields=["exam_subject", "level", "school"], name="itemstat_subject_level")]


class PaperStatistic(_UnitStatistic):
    """The paper's quality in one unit: α, SEM, mean difficulty, skew."""

    alpha = models.DecimalField("信度α", max_digits=6, decimal_places=4, null=True)
    sem = models.DecimalField("测量标准误", max_digits=7, decimal_places=2, null=True)
    mean_difficulty = models.DecimalField("平均难度", max_digits=5, decimal_places=4, null=True)
    skew = models.DecimalField("偏度", max_digits=7, decimal_places=4, null=True)

    class Meta:
        verbose_name = "试卷统计"
        verbose_name_plural = "试卷统计"
        indexes = [models.Index(fields=["exam_subject", "level", "school"], name="paperstat_subject_level")]


class KnowledgeStatistic(_UnitStatistic):
    """The score rate of one knowledge point (or one ability level) in one unit."""

    knowledge_point = models.ForeignKey(KnowledgePoint, null=True, related_name="+", **_DERIVED_KEY)
    ability = models.ForeignKey(AbilityLevel, null=True, related_name="+", **_DERIVED_KEY)
    points = models.DecimalField("分值", max_digits=5, decimal_places=1)
    score_rate = models.DecimalField("得分率", max_digits=5, decimal_places=4, null=True)

    class Meta:
        verbose_name = "知识点统计"
        verbose_name_plural = "知识点统计"
        indexes = [models.Index(fields=["exam_subject", "level", "school"], name="kpstat_subject_level")]
