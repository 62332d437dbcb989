"""Stored value-added figures (增值评价): written only by monitoring.value_added.engine, read by pages.

Imported by monitoring/models.py, so they belong to the monitoring app and its migrations."""

from django.db import models

from monitoring.value_added import rules

_DERIVED_KEY = {"db_constraint": False, "db_index": False, "on_delete": models.CASCADE}


class ValueAddedFit(models.Model):
    """The city-wide model of one exam subject (NULL: the total of the common subjects) at one level:
    its coefficients, the scales that turn SD units into points, and the reason when nothing could be
    estimated (a message for the page, never an error)."""

    class Level(models.TextChoices):
        SCHOOL = "school", "学校"
        CLASS = "class", "班级"

    exam = models.ForeignKey("monitoring.Exam", related_name="value_added_fits", **_DERIVED_KEY)
    exam_subject = models.ForeignKey("monitoring.ExamSubject", null=True, blank=True, related_name="+", **_DERIVED_KEY)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    matched = models.PositiveIntegerField("匹配学生数", default=0)
    sitters = models.PositiveIntegerField("本次参考人数", default=0)
    groups = models.PositiveIntegerField("单位数", default=0)
    beta = models.JSONField("系数", default=list)  # β0, β1 (z_before), then each covariate's
    covariates = models.JSONField("协变量", default=list)
    tau2 = models.FloatField("组间方差τ²", null=True)
    sigma2 = models.FloatField("组内方差σ²", null=True)
    mean_now = models.FloatField("本次均值", null=True)
    sd_now = models.FloatField("本次标准差", null=True)
    mean_before = models.FloatField("对比均值", null=True)
    sd_before = models.FloatField("对比标准差", null=True)
    message = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "增值模型"
        verbose_name_plural = "增值模型"
        indexes = [models.Index(fields=["exam", "level"], name="va_fit_exam_level")]

    def __str__(self) -> str:
        return f"{self.exam_id}/{self.exam_subject_id}/{self.level}"

    @property
    def match_rate(self) -> float | None:
        return rules.match_rate(self.matched, self.sitters)

    @property
    def slope(self) -> float | None:
        return self.beta[1] if len(self.beta) > 1 else None


class ValueAdded(models.Model):
    """One school's (or class's) value-added in one exam subject (NULL: the total)."""

    exam = models.ForeignKey("monitoring.Exam", related_name="value_added", **_DERIVED_KEY)
    exam_subject = models.ForeignKey("monitoring.ExamSubject", null=True, blank=True, related_name="+", **_DERIVED_KEY)
    level = models.CharField("层级", max_length=10, choices=ValueAddedFit.Level.choices)
    school = models.ForeignKey("schools.School", related_name="+", **_DERIVED_KEY)
    school_class = models.ForeignKey("schools.SchoolClass", null=True, blank=True, related_name="+", **_DERIVED_KEY)
    matched = models.PositiveIntegerField("匹配学生数")
    sitters = models.PositiveIntegerField("本次参考人数")
    intake = models.FloatField("入口（对比监测均值z）")
    attainment = models.FloatField("出口（本次均值z）")
    estimate = models.FloatField("增值（标准差单位）")
    lower = models.FloatField("95%区间下限")
    upper = models.FloatField("95%区间上限")
    points = models.FloatField("增值（分）")
    points_lower = models.FloatField("95%区间下限（分）")
    points_upper = models.FloatField("95%区间上限（分）")
    mean_residual = models.FloatField("平均残差")
    residual_lower = models.FloatField("平均残差区间下限")
    residual_upper = models.FloatField("平均残差区间上限")
    classification = models.CharField("判断", max_length=6, blank=True)
    quadrant = models.CharField("象限", max_length=4, blank=True)
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = "增值结果"
        verbose_name_plural = "增值结果"
        indexes = [
            models.Index(fields=["exam", "level", "exam_subject"], name="va_exam_level_subject"),
            models.Index(fields=["school", "exam"], name="va_school_exam"),
        ]

    def __str__(self) -> str:
        return f"{self.exam_id}/{self.exam_subject_id}/{self.school_id}/{self.school_class_id}"

    @property
    def match_rate(self) -> float | None:
        return rules.match_rate(self.matched, self.sitters)

    @property
    def classification_label(self) -> str:
        return rules.CLASSIFICATION_LABELS[self.classification]
