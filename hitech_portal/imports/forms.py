"""The admin's upload form: a file is measured before anything parses it.

The admin takes what an editor can check on one screen (``ADMIN_MAX_ROWS`` rows); bigger files
go to the command. So an upload is refused at once, with its size, when it is larger than
``IMPORT_MAX_UPLOAD_MB`` or, for an XLSX, when it would unzip to more than ``IMPORT_MAX_XLSX_MB``
(:func:`~hitech_portal.imports.tables.check_xlsx`).
"""

from django import forms
from django.conf import settings
from import_export.forms import ImportForm

from .report import FileError
from .tables import check_xlsx

MB = 1024 * 1024


class UploadForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.IMPORT_MAX_UPLOAD_MB * MB
        if upload.size > limit:
            raise forms.ValidationError(
                f"文件有 {upload.size / MB:.1f} MB，后台一次最多接收 "
                f"{settings.IMPORT_MAX_UPLOAD_MB} MB：更大的文件请用命令导入"
            )
        head = upload.read(4)
        upload.seek(0)
        if head == b"PK\x03\x04":
            try:
                check_xlsx(upload, max_bytes=settings.IMPORT_MAX_XLSX_MB * MB)
            except FileError as exc:
                raise forms.ValidationError([str(error) for error in exc.errors]) from None
        return upload
