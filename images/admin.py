"""The image library in the admin: upload (button, drag and drop), search, reuse, where used.

An image still shown by an article (or by a change waiting for review) cannot be deleted: the
delete page lists those articles instead, as it does for any protected object. Its words and focal
point show on the pages of the articles using it, so whoever may not change one of those articles
without review may not change the image either (``articles.workflow.needs_review``). The body
editor's paste and drop post to :meth:`ImageAdmin.upload_view`, which runs the same form as the
add page.
"""

from django.contrib import admin
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from articles.workflow import needs_review

from .files import content_hash
from .forms import ImageForm
from .models import Image
from .renditions import rendition_name
from .usage import articles_using, with_use_count


def preview_url(image: Image, width: int = 320) -> str:
    """A small rendition for the admin's pages (the original until renditions exist)."""
    made = [w for w, _h in image.renditions.get("full", [])]
    if not made:
        return image.file.url
    fitting = [w for w in made if w >= width] or made[-1:]
    return image.file.storage.url(rendition_name(image, "full", fitting[0], "webp"))


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    list_display = [
        "preview", "alt", "caption", "credit", "dimensions", "uploaded_by", "uploaded_at", "used",
    ]  # fmt: skip
    list_display_links = ["preview", "alt"]
    search_fields = ["alt", "caption", "credit"]
    list_filter = ["uploaded_at"]
    list_per_page = 40
    readonly_fields = ["focal_picker", "address", "where_used", "uploaded_by", "uploaded_at"]

    class Media:
        css = {"all": ["css/admin-images.css"]}
        js = ["js/admin/image-library.js"]

    def get_readonly_fields(self, request, obj=None):
        # The pixels of a library image never change (pages and crops rely on them): a different
        # picture is a new upload.
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "file"] if obj is not None else fields

    def get_fieldsets(self, request, obj=None):
        words = ("说明", {"fields": ["alt", "caption", "credit"]})
        if obj is None:
            return [(None, {"fields": ["file"]}), words]
        focal = (
            "焦点",
            {
                "fields": ["focal_picker", ("focal_x", "focal_y")],
                "description": "封面和列表按 16:9 裁剪时保留焦点附近的部分；在图上点一下即可设置。",
            },
        )
        used = ("使用", {"fields": ["address", "where_used", "uploaded_by", "uploaded_at"]})
        return [(None, {"fields": ["file"]}), words, focal, used]

    def get_queryset(self, request):
        return with_use_count(super().get_queryset(request).select_related("uploaded_by"))

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="图片")
    def preview(self, obj):
        return format_html(
            '<img class="library-thumb" src="{}" alt="" width="96" height="{}" loading="lazy">',
            preview_url(obj),
            round(96 * obj.height / obj.width) if obj.width else 54,
        )

    @admin.display(description="尺寸")
    def dimensions(self, obj):
        return f"{obj.width}×{obj.height}"

    @admin.display(description="使用次数", ordering="uses")
    def used(self, obj):
        return obj.uses

    @admin.display(description="点选焦点")
    def focal_picker(self, obj):
        return format_html(
            '<div class="focal-picker" data-focal-picker>'
            '<img src="{}" alt="{}" width="{}" height="{}">'
            '<span class="focal-marker" data-x="{}" data-y="{}" hidden></span></div>',
            preview_url(obj, 960), obj.alt, obj.width, obj.height, obj.focal_x, obj.focal_y,
        )  # fmt: skip

    @admin.display(description="插入正文用的地址")
    def address(self, obj):
        return format_html(
            '<input class="vTextField image-address" type="text" readonly value="{}" '
            'aria-label="图片地址"> '
            '<button type="button" class="button" data-copy-address>复制</button>',
            obj.file.url,
        )

    @admin.display(description="用在")
    def where_used(self, obj):
        articles = articles_using([obj])
        if not articles:
            return "还没有文章使用这张图片"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a></li>',
                (
                    (reverse("admin:articles_article_change", args=[a.pk]), a.title)
                    for a in articles
                ),
            ),
        )

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or not any(
            needs_review(request.user, article) for article in articles_using([obj])
        )

    def get_deleted_objects(self, objs, request):
        """An image that an article shows is protected: the page lists the articles."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        using = articles_using(list(objs))
        if using:
            protected = [
                format_html(
                    '文章：<a href="{}">{}</a>',
                    reverse("admin:articles_article_change", args=[a.pk]),
                    a.title,
                )
                for a in using
            ]
        return deleted, counts, perms_needed, protected

    def get_urls(self):
        upload = self.admin_site.admin_view(require_POST(self.upload_view))
        return [path("upload/", upload, name="images_image_upload"), *super().get_urls()]

    def upload_view(self, request):
        """A file pasted or dropped into the body editor: JSON ``{url, alt, …}`` or the
        form's errors. The same picture uploaded before is reused, not stored twice."""
        if not self.has_add_permission(request):
            return JsonResponse({"errors": ["没有上传图片的权限。"]}, status=403)
        form = ImageForm(request.POST, request.FILES)
        if not form.is_valid():
            twin = form.errors.as_data().get("file", [])
            if twin and twin[0].code == "duplicate":
                image = Image.objects.get(sha256=content_hash(request.FILES["file"]))
                return JsonResponse(self._described(image))
            errors = [message for messages in form.errors.values() for message in messages]
            return JsonResponse({"errors": errors}, status=400)
        image = form.save(commit=False)
        image.uploaded_by = request.user
        image.save()
        return JsonResponse(self._described(image), status=201)

    def _described(self, image):
        return {
            "id": image.pk,
            "url": image.file.url,
            "alt": image.alt,
            "caption": image.caption,
            "width": image.width,
            "height": image.height,
        }
