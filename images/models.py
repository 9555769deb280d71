"""The image library: every picture a public page shows, stored once, with its words.

An image carries what a reader needs beside the pixels (alt text, caption, credit/来源) and what
an editor needs (who uploaded it, where its subject is: the focal point that crops keep). The
sizes pages serve are made by :func:`images.renditions.generate_renditions`, in a background job
(:func:`images.renditions.make_renditions`), and listed in ``renditions``, so a page that shows
many images reads them with the rows it already has.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.utils import timezone

from .files import content_hash
from .renditions import delete_renditions, make_renditions, rendition_key

FOCAL = [MinValueValidator(0.0), MaxValueValidator(1.0)]


def generated_name(image: "Image", filename: str) -> str:
    """``images/2026/11/<first 20 hex digits of the content hash>.<ext>``: the name says nothing
    of the uploader's file name (Chinese, spaces, 'IMG_0001' twice) and is the same for the same
    picture."""
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"images/{timezone.now():%Y/%m}/{image.sha256[:20]}.{extension}"


class Image(models.Model):
    file = models.ImageField(
        "图片文件", upload_to=generated_name, width_field="width", height_field="height"
    )
    alt = models.CharField(
        "替代文字",
        max_length=200,
        help_text="看不到图片的读者（读屏软件、图片加载失败）读到的文字：写图上有什么，必填",
    )
    caption = models.CharField("图注", max_length=300, blank=True, help_text="显示在图片下方")
    credit = models.CharField(
        "来源", max_length=200, blank=True, help_text="摄影者或出处，如 新华社"
    )
    focal_x = models.FloatField(
        "焦点横向位置", default=0.5, validators=FOCAL, help_text="0 为最左，1 为最右"
    )
    focal_y = models.FloatField(
        "焦点纵向位置", default=0.5, validators=FOCAL, help_text="0 为最上，1 为最下"
    )
    width = models.PositiveIntegerField("宽", default=0, editable=False)
    height = models.PositiveIntegerField("高", default=0, editable=False)
    sha256 = models.CharField("内容指纹", max_length=64, unique=True, editable=False)
    renditions = models.JSONField("各尺寸文件", default=dict, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="上传者",
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "图片"
        verbose_name_plural = "图片"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.alt

    def save(self, *args, **kwargs):
        """Store the file under its generated name and the row, and queue the renditions
        (:func:`~images.renditions.make_renditions`) when the picture or its focal point is new:
        pages show the original, with its size, until they exist."""
        new_file = bool(self.file) and not self.file._committed
        if new_file:
            self.sha256 = content_hash(self.file)
            self.file.save(self.file.name, self.file.file, save=False)
            self.renditions = {}  # any listed are another picture's
        moved = False
        if not self._state.adding and not new_file:
            old = type(self).objects.filter(pk=self.pk).values_list("focal_x", "focal_y").first()
            moved = old is not None and tuple(old) != self.focal
        super().save(*args, **kwargs)
        if new_file or moved or not self.renditions:
            # The database backend queues it in this transaction: no job for a row rolled back.
            make_renditions.enqueue(self.pk, rendition_key(self))

    @property
    def focal(self) -> tuple[float, float]:
        return (self.focal_x, self.focal_y)


def remove_files(sender, instance, **kwargs):
    """Deleted (one by one or in bulk): its file and renditions go once the deletion commits."""
    listing = dict(instance.renditions)

    def remove():
        if listing.get("key"):
            delete_renditions(instance, listing)
        instance.file.storage.delete(instance.file.name)

    transaction.on_commit(remove)


post_delete.connect(remove_files, sender=Image, dispatch_uid="images:remove_files")
