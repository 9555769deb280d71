"""Statistical indicators and their observations.

An observation cites the article it was taken from, so this app depends on ``articles`` and never
the other way round; the article page reads its indicators through ``article.indicators``.
"""

import re
from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from articles.models import Article, may_publish, published_q

#: The region of a figure that names none, and the one an indicator's headline comes from.
DEFAULT_REGION = "全国"
#: Units of things counted (家, 个 …) and of shares (%): their charts start at zero, where a bar or
#: line reads as "how many"; amounts and indices keep an axis fitted to their values.
COUNT_UNITS = frozenset("家个项人件所座台次户只条篇位名")
SHARE_UNITS = frozenset({"%", "％", "‰", "百分比", "百分点"})
PERIOD_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
validate_period = RegexValidator(
    PERIOD_RE, "期间应写成 2024、2024-06 或 2024-06-30。", code="invalid_period"
)


class Indicator(models.Model):
    name = models.CharField("名称", max_length=100, unique=True)
    slug = models.SlugField("网址名", max_length=100, unique=True)
    unit = models.CharField("单位", max_length=20, blank=True, help_text="如 家、%、亿元")
    description = models.TextField("说明", blank=True)
    source = models.CharField("数据来源", max_length=200, blank=True)
    decimals = models.PositiveSmallIntegerField("显示小数位", default=0)
    is_key = models.BooleanField("首页展示", default=False, help_text="作为关键数据卡片显示在首页")
    sort_order = models.PositiveIntegerField("排序", default=0, help_text="小的在前")
    articles = models.ManyToManyField(
        Article,
        through="IndicatorLink",
        blank=True,
        related_name="indicators",
        verbose_name="相关文章",
    )
    history = HistoricalRecords(verbose_name="指标修订", user_related_name="+")

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("indicators:detail", args=[self.slug])

    @property
    def axis_from_zero(self) -> bool:
        unit = self.unit.strip()
        return unit in SHARE_UNITS or (len(unit) == 1 and unit in COUNT_UNITS)

    def format_value(self, value: Decimal | None) -> str:
        if value is None:
            return "—"
        return f"{value:,.{self.decimals}f}"


class IndicatorLink(models.Model):
    """An article that reports an indicator (相关指标 on the article form, 相关文章 here)."""

    indicator = models.ForeignKey(Indicator, models.CASCADE, verbose_name="指标")
    article = models.ForeignKey(Article, models.CASCADE, verbose_name="文章")

    class Meta:
        db_table = "indicators_indicator_articles"  # the table Django made for the plain link
        verbose_name = "相关指标"
        verbose_name_plural = "相关指标"
        unique_together = [("indicator", "article")]

    def __str__(self):
        return str(self.indicator)


class ObservationQuerySet(models.QuerySet):
    def public(self):
        """What readers may see: a value taken from an article is embargoed with it, until the
        article itself is visible (a scheduled or draft article's figures stay unpublished); a
        value that cites no article is public."""
        return self.filter(Q(source_article__isnull=True) | published_q("source_article__"))


def embargo_error(user, was_public: bool, source: Article | None) -> str | None:
    """Why ``user`` may not put a value readers see (``was_public``) under the embargo of an
    article they cannot read yet (``source``): the value would vanish from every page, chart and
    CSV until that article is published, so only a 主编 may. None when allowed; the admin's form,
    the figure suggestions and the observation import (command and admin) ask here."""
    if not was_public or source is None or source.is_published() or may_publish(user):
        return None
    return "已有公开的数值：改为引用未发布的文章会让它在页面上消失，只有主编可以这样做"


class Observation(models.Model):
    indicator = models.ForeignKey(
        Indicator, models.CASCADE, related_name="observations", verbose_name="指标"
    )
    period = models.CharField(
        "期间",
        max_length=10,
        validators=[validate_period],
        help_text="年 2024、月 2024-06 或日 2024-06-30",
    )
    region = models.CharField("地区", max_length=50, default=DEFAULT_REGION)
    value = models.DecimalField("数值", max_digits=20, decimal_places=4)
    note = models.CharField("备注", max_length=300, blank=True)
    source_article = models.ForeignKey(
        Article,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
        verbose_name="来源文章",
    )
    history = HistoricalRecords(verbose_name="观测值修订", user_related_name="+")
    objects = ObservationQuerySet.as_manager()

    objects = ObservationQuerySet.as_manager()

    class Meta:
        verbose_name = "观测值"
        verbose_name_plural = "观测值"
        # Periods are ISO strings, so text order is time order.
        ordering = ["indicator", "period", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "region"],
                name="observation_unique_period_region",
                violation_error_message="该指标在这个期间和地区已有数值。",
            )
        ]

    def __str__(self):
        return f"{self.indicator} {self.period} {self.region}: {self.display_value}"

    @property
    def is_regional(self) -> bool:
        """A figure for one region rather than the whole country (cards then name it)."""
        return self.region != DEFAULT_REGION

    @property
    def display_value(self) -> str:
        return self.indicator.format_value(self.value)


class IndicatorAlias(models.Model):
    """Another name articles use for an indicator: figure suggestions match it in the text."""

    indicator = models.ForeignKey(
        Indicator, models.CASCADE, related_name="aliases", verbose_name="指标"
    )
    name = models.CharField(
        "别名", max_length=100, help_text="文章里说到这个指标时用的词，如“工业增加值”“小巨人”"
    )

    class Meta:
        verbose_name = "指标别名"
        verbose_name_plural = "指标别名"
        ordering = ["indicator", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "name"],
                name="indicator_alias_unique",
                violation_error_message="这个指标已有这个别名。",
            )
        ]

    def __str__(self):
        return self.name


class DismissedFigure(models.Model):
    """A figure suggestion an editor set aside: it is not offered again for that article."""

    article = models.ForeignKey(Article, models.CASCADE, related_name="+", verbose_name="文章")
    key = models.CharField("数字", max_length=64, help_text="数字及其上下文的摘要")
    text = models.CharField("原文", max_length=200)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="操作人",
    )
    dismissed_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "忽略的数字"
        verbose_name_plural = "忽略的数字"
        constraints = [
            models.UniqueConstraint(fields=["article", "key"], name="dismissed_figure_unique")
        ]

    def __str__(self):
        return self.text
