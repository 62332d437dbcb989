"""Project-wide models: the user, long jobs and the audit log."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who signs in. What they may do comes from their roles (schools.RoleAssignment)."""

    full_name = models.CharField("姓名", max_length=50, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Job(models.Model):
    """A long piece of work (an import, an export, a PDF) run by a Celery task and polled by a page."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "进行中"
        SUCCEEDED = "succeeded", "已完成"
        FAILED = "failed", "失败"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", verbose_name="发起人"
    )
    kind = models.CharField("类型", max_length=60)
    title = models.CharField("名称", max_length=200)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField("进度", default=0)  # percent, 0–100
    message = models.CharField("说明", max_length=500, blank=True)
    params = models.JSONField("参数", default=dict, blank=True)
    input_file = models.FileField("上传文件", upload_to="jobs/input/%Y/%m/", blank=True)
    result_file = models.FileField("结果文件", upload_to="jobs/result/%Y/%m/", blank=True)
    result_name = models.CharField("结果文件名", max_length=200, blank=True)
    problems = models.JSONField("问题清单", default=list, blank=True)
    result_url = models.CharField("完成后前往", max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField("执行次数", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}


class AuditEntry(models.Model):
    """Who changed what, when, from which value to which (审计日志)."""

    class Action(models.TextChoices):
        CREATE = "create", "新建"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        IMPORT = "import", "导入"
        STATE = "state", "状态变更"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="操作人"
    )
    action = models.CharField("操作", max_length=12, choices=Action.choices)
    model_label = models.CharField("对象类型", max_length=100)
    object_id = models.CharField("对象编号", max_length=64)
    object_repr = models.CharField("对象", max_length=200)
    changes = models.JSONField("变更", default=dict, blank=True)  # {field: [old, new]}
    note = models.CharField("备注", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["model_label", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"


class AccessLog(models.Model):
    """Who looked at minors' data, when, and whether they were let in (学生信息访问日志).

    Append-only: in PostgreSQL a trigger (migration 0002) refuses UPDATE, DELETE and TRUNCATE, so
    the application can write a row but never change or remove one. The user is kept as id and
    name without a database constraint, so removing a user can neither cascade into nor be blocked
    by the log."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="用户",
    )
    username = models.CharField("用户名", max_length=150)
    roles = models.CharField("角色", max_length=200, blank=True)
    what = models.CharField("访问内容", max_length=200)
    path = models.CharField("地址", max_length=500)
    method = models.CharField("方式", max_length=8)
    allowed = models.BooleanField("是否允许")
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "学生信息访问日志"
        verbose_name_plural = "学生信息访问日志"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.username} {self.what}"
