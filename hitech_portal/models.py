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

    class Status(models.TextChoices):
        CHECKING = "checking", "检查中"
        CHECKED = "checked", "待确认"
        REJECTED = "rejected", "有错误"
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        CANCELLED = "cancelled", "已取消"

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
    status = models.CharField(
        "状态",
        max_length=10,
        choices=Status,
        default=Status.DONE,
        help_text=(
            "后台导入在后台任务中运行：检查中，然后待确认（或有错误）；确认后排队中、导入中，"
            "然后已完成、失败或已取消"
        ),
    )
    rows_total = models.PositiveIntegerField("总行数", default=0)
    upload = models.CharField(
        "上传的文件", max_length=255, blank=True, help_text="后台导入完成前，文件在媒体存储中的位置"
    )
    problem = models.TextField("失败原因", blank=True)
    errors = models.JSONField(
        "文件中的错误", default=list, blank=True, help_text="后台导入的检查找到的错误（前 1000 处）"
    )
    confirmed_at = models.DateTimeField(
        "确认时间", null=True, blank=True, help_text="后台导入：上传人按下确认导入的时间"
    )
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
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

    @property
    def unit(self) -> str:
        """What the counts count: 新建 2 篇 (articles), 新建 2 条 (observations)."""
        return "篇" if self.kind == self.Kind.ARTICLES else "条"

    @property
    def finished(self) -> bool:
        return self.status in (
            self.Status.DONE,
            self.Status.FAILED,
            self.Status.CANCELLED,
            self.Status.REJECTED,
        )
