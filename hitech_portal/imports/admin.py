"""django-import-export's admin screens driven by the project's import engine.

django-import-export supplies the upload → preview → confirm screens and the export of the
filtered change list; the reading, parsing, validation and writing are the engine's, exactly as
the commands use them (:func:`~hitech_portal.imports.engine.run_import`). What changes against
its defaults:

- the uploaded bytes go to storage in one ``join`` (its chunk-by-chunk concatenation is quadratic)
  and to the *media* storage, which every app server shares (a local temp file would not be found
  when the confirming request lands on another server);
- the file's encoding, header language and dates are understood; the preview lists each error
  with its line, column and reason, and offers no confirm button until the file is clean;
- the preview checks the whole file (every error listed, the first rows shown); the confirmed
  import runs as a background job (:mod:`.tasks`) whatever the file's size, and the editor is
  taken to its record, where a progress bar follows it;
- an upload is measured before it is parsed (:mod:`~hitech_portal.imports.forms`), its preview
  stops after ``IMPORT_PREVIEW_SECONDS``, and an upload nothing can confirm (refused, or left
  unconfirmed past :data:`UPLOAD_MAX_AGE`) is deleted from media storage;
- an export is named in Chinese (``文章-2026-11-30.csv``), in a header browsers can read.
"""

import io
from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from import_export.admin import ExportMixin, ImportMixin
from import_export.fields import Field
from import_export.formats.base_formats import Format
from import_export.forms import ExportForm
from import_export.resources import Resource
from import_export.results import Result, RowResult

from ..models import ImportRecord
from . import tasks
from .engine import BatchImporter, run_import
from .forms import UploadForm
from .report import ImportReport

#: An upload waits this long in media storage for its 确认导入; then it is abandoned.
UPLOAD_MAX_AGE = timedelta(hours=6)


class Upload(bytes):
    """The uploaded file's bytes; CSV or XLSX is told from the content, not the chosen format."""

    @property
    def suffix(self) -> str:
        return ".xlsx" if self.startswith(b"PK\x03\x04") else ".csv"


class SpreadsheetFormat(Format):
    title = "CSV 或 XLSX"
    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    def __init__(self, encoding=None):
        self.encoding = encoding

    def get_title(self):
        return self.title

    def create_dataset(self, in_stream):
        return Upload(in_stream)

    def get_extension(self):
        return self.extension

    def get_content_type(self):
        return self.content_type

    def can_import(self):
        return True

    def can_export(self):
        return True


class CsvFormat(SpreadsheetFormat):
    title = "CSV（UTF-8，Excel 可直接打开）"


class XlsxFormat(SpreadsheetFormat):
    title = "XLSX"
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class EngineResult(Result):
    """django-import-export's result, filled from the engine's report."""

    def __init__(self, report: ImportReport, unit: str):
        super().__init__()
        self.report = report
        self.counts = report.counts(unit)  # 新建 1 篇，更新 2 篇，不变 0 篇
        self.totals[RowResult.IMPORT_TYPE_NEW] = report.created
        self.totals[RowResult.IMPORT_TYPE_UPDATE] = report.updated
        self.totals[RowResult.IMPORT_TYPE_SKIP] = report.unchanged
        self.totals[RowResult.IMPORT_TYPE_INVALID] = report.failed
        self.preview = report.rows  # the first MAX_LISTED
        self.preview_truncated = bool(report.unlisted_rows)

    def has_errors(self):
        return False  # every problem is a row error, shown by has_validation_errors

    def has_validation_errors(self):
        return not self.report.ok


class EngineResource(Resource):
    """A resource whose ``import_data`` is the engine (abort on error, planned rows kept)."""

    importer: type[BatchImporter]
    display_name = ""
    unit = "行"  # what the admin counts: 新建 2 篇 (articles), 新建 2 条 (observations)

    @classmethod
    def get_display_name(cls):
        return cls.display_name

    def get_user_visible_fields(self):
        spec = self.importer.columns.spec
        return [Field(column_name="/".join(names[:2])) for names in spec.values()]

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        report = run_import(
            self.importer,
            io.BytesIO(dataset),
            name="upload" + dataset.suffix,
            file_name=kwargs.get("file_name") or "",
            max_seconds=settings.IMPORT_PREVIEW_SECONDS if dry_run else None,
            dry_run=dry_run,
            user=kwargs.get("user"),
            via="后台",
        )
        return EngineResult(report, self.unit)


class EngineImportMixin(ImportMixin):
    """Add to a ModelAdmin with ``resource_classes = [<EngineResource subclass>]``."""

    import_template_name = "admin/import_export/engine_import.html"
    import_form_class = UploadForm
    tmp_storage_class = "import_export.tmp_storages.MediaStorage"
    skip_admin_log = True  # thousands of rows would bury the history; the message sums it up

    def get_import_formats(self):
        return [SpreadsheetFormat]

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def write_to_tmp_storage(self, import_file, input_format):
        self.delete_abandoned_uploads()
        storage = self.get_tmp_storage_class()(
            read_mode="rb", **self.get_tmp_storage_class_kwargs()
        )
        storage.save(b"".join(import_file.chunks()))
        return storage

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        form = context.get("form")
        upload = form.cleaned_data.get("import_file") if form and form.is_bound else None
        name = getattr(upload, "tmp_storage_name", None)
        if name and "confirm_form" not in context:  # refused: nothing will confirm this upload
            storage_class = self.get_tmp_storage_class()
            storage_class(name=name, **self.get_tmp_storage_class_kwargs()).remove()
        return response

    def delete_abandoned_uploads(self) -> None:
        """Uploads previewed but never confirmed; every app server shares the media folder."""
        storage = self.get_tmp_storage_class()(**self.get_tmp_storage_class_kwargs())
        folder, files = storage.MEDIA_FOLDER, storage._storage
        if not files.exists(folder):
            return
        cutoff = timezone.now() - UPLOAD_MAX_AGE
        for name in files.listdir(folder)[1]:
            path = f"{folder}/{name}"
            try:
                if files.get_modified_time(path) < cutoff:
                    files.delete(path)
            except FileNotFoundError:  # another server got there first
                pass

    def get_import_context_data(self, **kwargs):
        resource = self.get_import_resource_classes(None)[0]
        return {"command": resource.importer.command, **kwargs}

    def process_import(self, request, **kwargs):
        """The confirmed file is imported by a background job; the editor goes to its record."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid():
            return super().process_import(request, **kwargs)
        resource = self.choose_import_resource_class(confirm_form, request)
        with transaction.atomic():
            record = ImportRecord.objects.create(
                kind=resource.importer.record_kind,
                file_name=(confirm_form.cleaned_data.get("original_file_name") or "")[:255],
                via="后台",
                user=request.user,
                status=ImportRecord.Status.QUEUED,
                upload=confirm_form.cleaned_data["import_file_name"],
            )
            tasks.enqueue(record)
        progress = reverse("admin:hitech_portal_importrecord_progress", args=[record.pk])
        return HttpResponseRedirect(progress)

    def process_result(self, result, request):
        report = result.report
        if report.ok:
            return super().process_result(result, request)
        for error in report.errors[:20]:
            messages.error(request, str(error))
        messages.error(request, f"{report.explanation()} {result.counts}")
        app_label, model_name = self.get_model_info()
        return HttpResponseRedirect(reverse(f"admin:{app_label}_{model_name}_import"))

    def add_success_message(self, result, request):
        messages.success(request, f"导入完成：{result.counts}")


def dated_filename(name: str, file_format: Format) -> str:
    """``文章-2026-11-30.csv``: what the rows are, and the day in Beijing time."""
    return f"{name}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"


def attachment(filename: str, ascii_filename: str) -> str:
    """``Content-Disposition`` for a download: a Chinese name goes in ``filename*`` (RFC 5987,
    UTF-8), after an ASCII ``filename`` for clients that know only that one (RFC 6266)."""
    if filename.isascii():
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{ascii_filename}\"; filename*=UTF-8''{quote(filename, safe='')}"


class EngineExportMixin(ExportMixin):
    """Exports the filtered change list with ``exporter(queryset, stream, file_format=…)``."""

    export_form_class = ExportForm  # the import's fixed columns, so the file re-imports
    exporter = None

    def get_export_formats(self):
        return [CsvFormat, XlsxFormat]

    def get_export_filename(self, request, queryset, file_format):
        return dated_filename(self.model._meta.verbose_name, file_format)

    def export_action(self, request):
        response = super().export_action(request)
        if response.has_header("Content-Disposition"):
            # django-import-export writes filename="…" with the name as it is: an HTTP header
            # cannot carry Chinese that way.
            file_format = next(
                candidate()
                for candidate in self.get_export_formats()
                if candidate.content_type == response["Content-Type"]
            )
            response["Content-Disposition"] = attachment(
                self.get_export_filename(request, None, file_format),
                ascii_filename=dated_filename(self.model._meta.model_name, file_format),
            )
        return response

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        stream = io.BytesIO()
        type(self).exporter(queryset, stream, file_format=file_format.get_extension())
        return stream.getvalue()


class EngineImportExportMixin(EngineImportMixin, EngineExportMixin):
    import_export_change_list_template = "admin/import_export/change_list_import_export.html"
