from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """个人接口令牌: a person's key to the JSON API. Only its SHA-256 is kept (rules.digest); the
    token itself is shown once, when it is created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="用户"
    )
    name = models.CharField("用途", max_length=60)
    prefix = models.CharField("令牌前缀", max_length=16)
    digest = models.CharField("摘要", max_length=64, unique=True)
    scopes = models.JSONField("权限范围", default=list)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    # 提交标识: the creating form's one-time key, so a double submit creates one token, not two.
    submission_key = models.CharField("提交标识", max_length=32, blank=True, default="", editable=False)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="api_token_created_once_per_submission",
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}…（{self.name}）"
