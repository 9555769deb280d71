"""The upload form, shared by the library's add page and the body editor's paste and drop."""

from django import forms
from django.utils.html import format_html

from .files import content_hash, inspect
from .models import Image


class LibraryImageField(forms.ImageField):
    """Django's image check, preceded by the library's own (format, pixel count, bombs), whose
    messages name the file and the reason."""

    def to_python(self, data):
        if data not in self.empty_values:
            inspect(data)
        return super().to_python(data)


class ImageForm(forms.ModelForm):
    file = LibraryImageField(
        label="图片文件",
        help_text="JPEG、PNG、WebP 或 GIF；可以点按钮选择，也可以把文件拖到这里",
    )

    class Meta:
        model = Image
        fields = ["file", "alt", "caption", "credit", "focal_x", "focal_y"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        twin = Image.objects.filter(sha256=content_hash(upload)).first()
        if twin is not None:
            raise forms.ValidationError(
                format_html(
                    "这张图片已在图片库中（「{}」，编号 {}），请直接选用，不必重复上传。",
                    twin.alt,
                    twin.pk,
                ),
                code="duplicate",
            )
        return upload
