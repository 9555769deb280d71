"""Observation import: same reader, batches, transaction and error policy as the article import.

    report = run_import(ObservationImporter, "observations.csv")

Identity of a row: (indicator, period, region). ``indicator`` is a slug or a name (simplified or
traditional); ``period`` a year, month or day (``2024``, ``2024-06``, ``2024-06-30``; also
``2024年6月``, ``2024/6/30``); ``region`` defaults to 全国; ``source_article`` an article id or URL.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from articles import public_changes
from articles.models import Article
from hitech_portal.chinese import to_simplified
from hitech_portal.imports.cells import cell_text, is_row_id
from hitech_portal.imports.engine import BatchImporter, Plan
from hitech_portal.imports.report import Outcome, PlannedRow
from hitech_portal.imports.tables import Columns
from hitech_portal.models import ImportRecord

from .models import DEFAULT_REGION, Indicator, Observation, embargo_error

COLUMNS = Columns(
    {
        "indicator": ("indicator", "指标"),
        "period": ("period", "期间"),
        "region": ("region", "地区"),
        "value": ("value", "数值"),
        "note": ("note", "备注"),
        "source_article": ("source_article", "来源文章"),
    },
    required=("indicator", "period", "value"),
)
_PERIOD = re.compile(
    r"^(\d{4})\s*年?(?:\s*[-/.]?\s*(\d{1,2})\s*月?(?:\s*[-/.]?\s*(\d{1,2})\s*日?)?)?$"
)
MAX_DIGITS = 16  # DecimalField(max_digits=20, decimal_places=4)
REGION_MAX_LENGTH = Observation._meta.get_field("region").max_length
NOTE_MAX_LENGTH = Observation._meta.get_field("note").max_length


def parse_period(cell) -> str:
    """``2024年6月`` → ``2024-06``; raises ValueError with the message an editor reads."""
    if isinstance(cell, datetime.datetime):
        # Excel turned what was typed (2024-06, 2024/6/30) into a date: which period was meant
        # (a month? that day?) can no longer be told.
        raise ValueError(
            f"期间是日期格式的单元格（{cell:%Y-%m-%d}）：请把这一列设为文本，"
            "再填 2024、2024-06 或 2024-06-30"
        )
    text = cell_text(cell)
    match = _PERIOD.match(text)
    if not match:
        raise ValueError(f"无法识别的期间 {text}（可写作 2024、2024-06 或 2024-06-30）")
    year, month, day = match.groups()
    period = year
    if month:
        if not 1 <= int(month) <= 12:
            raise ValueError(f"不存在的月份 {text}")
        period += f"-{int(month):02d}"
    if day:
        try:
            datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"不存在的日期 {text}") from None
        period += f"-{int(day):02d}"
    return period


def parse_value(cell) -> Decimal:
    text = cell_text(cell)
    try:
        value = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise ValueError(f"数值应是数字，而不是 {text}") from None
    if not value.is_finite():
        raise ValueError(f"数值应是数字，而不是 {text}")
    try:  # 1E30 is too big to quantize at all (InvalidOperation), not only for the column
        value = value.quantize(Decimal("0.0001"))
    except InvalidOperation:
        raise ValueError(f"数值 {text} 太大") from None
    if len(value.as_tuple().digits) > 20 or abs(value) >= Decimal(10) ** MAX_DIGITS:
        raise ValueError(f"数值 {text} 太大")
    return value


def parse_region(cell) -> str:
    region = to_simplified(cell_text(cell) or DEFAULT_REGION)
    if len(region) > REGION_MAX_LENGTH:
        raise ValueError(f"地区不能超过 {REGION_MAX_LENGTH} 字")
    return region


def parse_note(cell) -> str:
    note = cell_text(cell)
    if len(note) > NOTE_MAX_LENGTH:
        raise ValueError(f"备注不能超过 {NOTE_MAX_LENGTH} 字")
    return note


class ObservationImporter(BatchImporter):
    columns = COLUMNS
    command = "import_observations"
    record_kind = ImportRecord.Kind.OBSERVATIONS

    def parsers(self):
        self.indicators = {}
        for indicator in Indicator.objects.all():
            for name in (indicator.slug, indicator.name, to_simplified(indicator.name)):
                self.indicators[name] = indicator
        return {
            "indicator": self.parse_indicator,
            "period": parse_period,
            "region": parse_region,
            "value": parse_value,
            "note": parse_note,
            "source_article": cell_text,  # an id or URL, looked up for the whole batch
        }

    def parse_indicator(self, cell) -> Indicator:
        name = cell_text(cell)
        if not name:
            raise ValueError("指标不能为空")
        indicator = self.indicators.get(name) or self.indicators.get(to_simplified(name))
        if indicator is None:
            raise ValueError(f"未知的指标「{name}」（填指标名称或网址名）")
        return indicator

    def label(self, values) -> str:
        if "indicator" not in values:
            return ""
        region = values.get("region", DEFAULT_REGION)
        return f"{values['indicator'].name} {values.get('period', '')} {region}".strip()

    def plan_batch(self, rows):
        plans = []
        for line, values in rows:
            values.setdefault("region", DEFAULT_REGION)
            key = (values["indicator"].pk, values["period"], values["region"])
            plan = Plan(line, key, values)
            first = self.claim([key], line)
            if first is not None:
                message = f"与第 {first} 行是同一个数值（指标、期间和地区相同）"
                self.reject(plan, "period", message)
                continue
            plans.append(plan)
        self.resolve_articles(plans)
        plans = [plan for plan in plans if plan.outcome != Outcome.FAILED]
        existing, old_sources = {}, {}
        if plans:
            query = Observation.objects.filter(
                indicator_id__in={p.key[0] for p in plans},
                period__in={p.key[1] for p in plans},
            ).values("id", "indicator_id", "period", "region", "value", "note", "source_article_id")
            for row in query:
                existing[(row["indicator_id"], row["period"], row["region"])] = row
        for plan in plans:
            old = existing.get(plan.key)
            if old is None:
                continue  # a new observation
            plan.object_id = old["id"]
            plan.changed = [
                name
                for name in ("value", "note", "source_article_id")
                if name in plan.values and old[name] != plan.values[name]
            ]
            plan.outcome = Outcome.UPDATE if plan.changed else Outcome.UNCHANGED
            old_sources[plan.line] = old["source_article_id"]
        self.keep_embargo_rule([p for p in plans if "source_article_id" in p.changed], old_sources)
        return [plan for plan in plans if plan.outcome != Outcome.FAILED]

    def keep_embargo_rule(self, plans, old_sources: dict[int, int | None]) -> None:
        """A value readers see goes under an unpublished article's embargo only by a 主编's hand
        (:func:`~indicators.models.embargo_error`, the rule the admin's form and the figure
        suggestions ask): one query for the batch's articles, none without such a row."""
        if self.user is None or not plans:  # the command without --user: every right
            return
        ids = {old_sources[p.line] for p in plans} | {p.values["source_article_id"] for p in plans}
        articles = Article.objects.only("status", "published_at").in_bulk(ids - {None})
        for plan in plans:
            old = articles.get(old_sources[plan.line])
            was_public = old is None or old.is_published()
            source = articles.get(plan.values["source_article_id"])
            if error := embargo_error(self.user, was_public, source):
                self.reject(plan, "source_article", error)

    def resolve_articles(self, plans) -> None:
        """Article ids or URLs → ids, in two queries for the batch; unknown ones fail the row."""
        carried = [p for p in plans if "source_article" in p.values]
        refs = {p.values["source_article"] for p in carried} - {""}
        ids = {int(ref) for ref in refs if is_row_id(ref)}
        urls = refs - {str(i) for i in ids}
        known = {}
        if ids:
            found = Article.objects.filter(pk__in=ids).values_list("pk", flat=True)
            known |= {str(pk): pk for pk in found}
        if urls:
            rows = Article.objects.filter(source_url__in=urls).exclude(source_url="")
            known |= dict(rows.values_list("source_url", "pk"))
        for plan in carried:
            ref = plan.values.pop("source_article")
            plan.values["source_article_id"] = known.get(ref) if ref else None
            if ref and plan.values["source_article_id"] is None:
                self.reject(plan, "source_article", f"找不到来源文章 {ref}（填文章编号或原文链接）")

    def write(self, plans) -> None:
        new = [p for p in plans if p.outcome == Outcome.NEW]
        changed = [p for p in plans if p.outcome == Outcome.UPDATE]
        created = Observation.objects.bulk_create(Observation(**p.values) for p in new)
        for plan in changed:  # observations are few; a statement each is clear and fast enough
            changes = {name: plan.values[name] for name in plan.changed}
            Observation.objects.filter(pk=plan.object_id).update(**changes)
        # Revisions, as a save() would have written them (bulk paths send no signals).
        history = {"default_user": self.user, "default_change_reason": self.how}
        Observation.history.bulk_history_create(created, **history)
        updated = Observation.objects.filter(pk__in=[p.object_id for p in changed])
        Observation.history.bulk_history_create(list(updated), update=True, **history)
        public_changes.pages_changed()

    def describe(self, plan) -> PlannedRow:
        values = plan.values
        label = f"{values['indicator'].name} {values['period']} {values['region']}"
        changed = tuple(self.column(name.removesuffix("_id")) for name in plan.changed)
        return PlannedRow(
            plan.line, plan.outcome, label, plan.object_id, changed, note=str(values["value"])
        )
