"""Observation import: same reader, batches, transaction and error policy as the article import.

Identity of a row: (indicator, period, region). ``indicator`` is a slug or a name (simplified or
traditional); ``period`` a year, month or day (``2024``, ``2024-06``, ``2024-06-30``; also
``2024年6月``, ``2024/6/30``); ``region`` defaults to 全国; ``source_article`` an article id or URL.
"""

import re
from decimal import Decimal, InvalidOperation

from articles.models import Article
from hitech_portal.bulkimport import BatchImporter, ImportReport, PreviewRow
from hitech_portal.pagecache import invalidate_pages
from hitech_portal.tabular import Columns, Table, to_simplified, unescape_formula

from .models import Indicator, Observation

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
DEFAULT_REGION = Observation._meta.get_field("region").default
_PERIOD = re.compile(
    r"^(\d{4})\s*年?(?:\s*[-/.]?\s*(\d{1,2})\s*月?(?:\s*[-/.]?\s*(\d{1,2})\s*日?)?)?$"
)
MAX_DIGITS = 16  # DecimalField(max_digits=20, decimal_places=4)


def import_observations(table: Table, **options) -> ImportReport:
    return ObservationImporter(table, **options).run()


def parse_period(text: str) -> str:
    """``2024年6月`` → ``2024-06``; raises ValueError with the message an editor reads."""
    match = _PERIOD.match(text.strip())
    if not match:
        raise ValueError(f"无法识别的期间 {text}（可写作 2024、2024-06 或 2024-06-30）")
    year, month, day = match.groups()
    period = year
    if month:
        if not 1 <= int(month) <= 12:
            raise ValueError(f"不存在的月份 {text}")
        period += f"-{int(month):02d}"
    if day:
        import datetime

        try:
            datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"不存在的日期 {text}") from None
        period += f"-{int(day):02d}"
    return period


def parse_value(text: str) -> Decimal:
    cleaned = text.strip().replace(",", "").replace("，", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"数值应是数字，而不是 {text}") from None
    if not value.is_finite():
        raise ValueError(f"数值应是数字，而不是 {text}")
    value = value.quantize(Decimal("0.0001"))
    if len(value.as_tuple().digits) > 20 or abs(value) >= Decimal(10) ** MAX_DIGITS:
        raise ValueError(f"数值 {text} 太大")
    return value


class ObservationImporter(BatchImporter):
    def __init__(self, table: Table, **options):
        super().__init__(table, **options)
        self.indicators = {}
        for indicator in Indicator.objects.all():
            for name in (indicator.slug, indicator.name, to_simplified(indicator.name)):
                self.indicators[name] = indicator

    def parse(self, line, cells):
        cells = {k: unescape_formula(str(v or "")).strip() for k, v in cells.items()}
        errors, item = [], {"line": line}
        name = cells.get("indicator", "")
        indicator = self.indicators.get(name) or self.indicators.get(to_simplified(name))
        if not name:
            errors.append(self.error(line, "indicator", "指标不能为空"))
        elif indicator is None:
            errors.append(
                self.error(line, "indicator", f"未知的指标「{name}」（填指标名称或网址名）")
            )
        else:
            item["indicator"] = indicator
        for field_name, parser in (("period", parse_period), ("value", parse_value)):
            try:
                item[field_name] = parser(cells.get(field_name, ""))
            except ValueError as exc:
                errors.append(self.error(line, field_name, str(exc)))
        item["region"] = to_simplified(cells.get("region") or DEFAULT_REGION)
        if len(item["region"]) > 50:
            errors.append(self.error(line, "region", "地区不能超过 50 字"))
        if "note" in cells:
            item["note"] = cells["note"]
            if len(item["note"]) > 300:
                errors.append(self.error(line, "note", "备注不能超过 300 字"))
        if "source_article" in cells:
            item["source"] = cells["source_article"]
        return item, errors

    def prepare_batch(self, batch):
        items = []
        for record in batch:
            item, errors = self.parse(record.line, record.values)
            if errors:
                self.fail(*errors)
                continue
            item["key"] = (item["indicator"].id, item["period"], item["region"])
            first = self.claim([item["key"]], item["line"])
            if first is not None:
                message = f"与第 {first} 行是同一个数值（指标、期间和地区相同）"
                self.fail(self.error(item["line"], "period", message))
                continue
            items.append(item)
        self.resolve_articles(items)
        items = [item for item in items if "failed" not in item]
        existing = {}
        if items:
            query = Observation.objects.filter(
                indicator_id__in={i["key"][0] for i in items},
                period__in={i["key"][1] for i in items},
            ).values("id", "indicator_id", "period", "region", "value", "note", "source_article_id")
            for row in query:
                existing[(row["indicator_id"], row["period"], row["region"])] = row
        for item in items:
            old = existing.get(item["key"])
            item["id"] = old["id"] if old else None
            if old is None:
                item["outcome"] = "new"
                continue
            same = old["value"] == item["value"]
            same &= "note" not in item or old["note"] == item["note"]
            same &= "source" not in item or old["source_article_id"] == item["article_id"]
            item["outcome"] = "skip" if same else "update"
        return [_Item(item) for item in items]

    def resolve_articles(self, items) -> None:
        """Article ids or URLs → ids, in two queries for the batch; unknown ones fail the row."""
        refs = {i["source"] for i in items if i.get("source")}
        ids = {int(r) for r in refs if r.isdigit()}
        urls = refs - {str(i) for i in ids}
        known = {}
        if ids:
            known |= {
                str(pk): pk
                for pk in Article.objects.filter(pk__in=ids).values_list("pk", flat=True)
            }
        if urls:
            rows = Article.objects.filter(source_url__in=urls).exclude(source_url="")
            known |= dict(rows.values_list("source_url", "pk"))
        for item in items:
            source = item.get("source")
            if source is None:
                continue
            item["article_id"] = known.get(source) if source else None
            if source and item["article_id"] is None:
                item["failed"] = True
                message = f"找不到来源文章 {source}（填文章编号或原文链接）"
                self.fail(self.error(item["line"], "source_article", message))

    def write(self, planned) -> None:
        new = [p.data for p in planned if p.outcome == "new"]
        changed = [p.data for p in planned if p.outcome == "update"]
        Observation.objects.bulk_create(
            Observation(
                indicator=i["indicator"],
                period=i["period"],
                region=i["region"],
                value=i["value"],
                note=i.get("note", ""),
                source_article_id=i.get("article_id"),
            )
            for i in new
        )
        for i in changed:  # observations are few; a statement each is clear and fast enough
            fields = {"value": i["value"]}
            if "note" in i:
                fields["note"] = i["note"]
            if "source" in i:
                fields["source_article_id"] = i["article_id"]
            Observation.objects.filter(pk=i["id"]).update(**fields)

    def preview_row(self, item) -> PreviewRow:
        data = item.data
        title = f"{data['indicator'].name} {data['period']} {data['region']}"
        return PreviewRow(data["line"], item.outcome, title, str(data["value"]), data["id"])

    def finish(self) -> None:
        if self.report.created or self.report.updated:
            invalidate_pages()


class _Item:
    __slots__ = ("data", "line", "outcome")

    def __init__(self, data):
        self.data, self.line, self.outcome = data, data["line"], data["outcome"]
