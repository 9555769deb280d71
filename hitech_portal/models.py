"""What the portal keeps about its own work: the record of each import."""

from django.conf import settings
from django.db import models


class ImportRecord(models.Model):
    """One import of a file (admin or command): who, when, which file, what came of each row.

    The revisions an article import writes point here, which is what lets a 主编 undo it
    (:mod:`articles.undo`)."""

    class Kind(models.TextChoices):
        ARTICLES = "articles", "文章"
        OBSERVATIONS = "observations", "观测值"

    kind = models.CharField("内容", max_length=20, choices=Kind)
    file_name = models.CharField("文件", max_length=255)
    via = models.CharField("方式", max_length=20, help_text="后台、命令或演示数据")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="导入人",
    )
    started_at = models.DateTimeField("时间", auto_now_add=True)
    created = models.PositiveIntegerField("新建", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("不变", default=0)
    failed = models.PositiveIntegerField("出错", default=0)
    rows = models.JSONField("各行结果", default=list, blank=True)
    undone_at = models.DateTimeField("撤销时间", null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="撤销人",
    )

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()}导入 #{self.pk}：{self.file_name}"
