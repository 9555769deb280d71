"""django-import-export's admin screens driven by the project's import engine.

django-import-export supplies the upload screen, the 确认导入 URL and the export of the filtered
change list; the reading, parsing, validation and writing are the engine's, exactly as the
commands use them (:func:`~hitech_portal.imports.engine.run_import`), run by background jobs.
What changes against its defaults:

- the uploaded bytes go to storage in one ``join`` (its chunk-by-chunk concatenation is quadratic)
  and to the *media* storage, which every app server and worker shares (a local temp file would
  not be found by a job or a request on another server);
- the file's encoding, header language and dates are understood; the preview lists each error
  with its line, column and reason, and offers no confirm button unless the file is clean;
- the upload request only stores the file and measures it
  (:mod:`~hitech_portal.imports.forms`); a background job (:mod:`.tasks`) checks the whole file,
  whatever its size, while the editor watches a progress bar on the import's record page, which
  then shows the preview (the counts, the first rows, every error) and 确认导入; the confirmed
  import is a second job on the same page;
- an upload nothing can confirm (refused by its check, cancelled, or left unconfirmed past
  :data:`UPLOAD_MAX_AGE`) is deleted from media storage;
- an export is named in Chinese (``文章-2026-11-30.csv``), in a header browsers can read.
"""

import io
from datetime import timedelta
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from import_export.admin import ExportMixin, ImportMixin
from import_export.fields import Field
from import_export.formats.base_formats import Format
from import_export.forms import ExportForm
from import_export.resources import Resource

from ..models import ImportRecord
from . import tasks
from .engine import BatchImporter
from .forms import UploadForm

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


class EngineResource(Resource):
    """The kind of rows an admin imports: the engine's importer, and the columns the import page
    lists. The reading, checking and writing are the background jobs' (:mod:`.tasks`)."""

    importer: type[BatchImporter]
    display_name = ""

    @classmethod
    def get_display_name(cls):
        return cls.display_name

    def get_user_visible_fields(self):
        spec = self.importer.columns.spec
        return [Field(column_name="/".join(names[:2])) for names in spec.values()]


class EngineImportMixin(ImportMixin):
    """Add to a ModelAdmin with ``resource_classes = [<EngineResource subclass>]``."""

    import_template_name = "admin/import_export/engine_import.html"
    import_form_class = UploadForm
    tmp_storage_class = "import_export.tmp_storages.MediaStorage"
    skip_admin_log = True  # thousands of rows would bury the history; the record sums it up

    def get_import_formats(self):
        return [SpreadsheetFormat]

    def has_import_permission(self, request):
        """Who may import, at the upload and at 确认导入 alike; what each row may do is the
        engine's (the uploader's rights, :mod:`articles.workflow`)."""
        return self.has_add_permission(request) and self.has_change_permission(request)

    def write_to_tmp_storage(self, import_file, input_format):
        self.delete_abandoned_uploads()
        storage = self.get_tmp_storage_class()(
            read_mode="rb", **self.get_tmp_storage_class_kwargs()
        )
        storage.save(b"".join(import_file.chunks()))
        return storage

    def import_action(self, request, **kwargs):
        """The upload: stored and measured here, checked by a job; the editor follows it on the
        import's record page, which then shows the preview."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_import_form(request)
        if request.method != "POST" or not form.is_valid():
            return super().import_action(request, **kwargs)  # the form, with its errors
        upload = form.cleaned_data["import_file"]
        storage = self.write_to_tmp_storage(upload, None)
        importer = self.get_import_resource_classes(request)[0].importer
        with transaction.atomic():
            record = ImportRecord.objects.create(
                kind=importer.record_kind,
                file_name=upload.name[:255],
                via="后台",
                user=request.user,
                status=ImportRecord.Status.CHECKING,
                upload=storage.name,
            )
            tasks.enqueue_check(record)
        return HttpResponseRedirect(progress_url(record))

    def delete_abandoned_uploads(self) -> None:
        """Uploads checked but never confirmed; every app server shares the media folder."""
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
        """确认导入 of a checked file (the preview's button): its import is queued as a job."""
        if request.method != "POST" or not self.has_import_permission(request):
            raise PermissionDenied
        importer = self.get_import_resource_classes(request)[0].importer
        record = get_object_or_404(
            ImportRecord,
            pk=request.POST.get("record") or 0,
            kind=importer.record_kind,
            user=request.user,  # the uploader confirms what the preview showed them
        )
        if not tasks.confirm(record):
            messages.warning(request, "这个文件不在待确认状态：没有再次导入。")
        return HttpResponseRedirect(progress_url(record))


def progress_url(record: ImportRecord) -> str:
    return reverse("admin:hitech_portal_importrecord_progress", args=[record.pk])


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
