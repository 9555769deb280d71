"""Covers move into the image library: each stored cover file becomes a library image (its
cover_alt, else the title, as the alt text) with its renditions, and the article points at it."""

import hashlib
from io import BytesIO

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone
from PIL import Image as PILImage

from images.files import FORMATS
from images.renditions import generate_renditions


def covers_into_library(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Image = apps.get_model("images", "Image")
    covered = Article.objects.exclude(cover="").exclude(cover__isnull=True).order_by("pk")
    for article in covered.iterator():
        storage = article.cover.storage
        if not storage.exists(article.cover.name):
            continue  # a cover whose file is gone: the article simply has none now
        with storage.open(article.cover.name, "rb") as file:
            content = file.read()
        sha256 = hashlib.sha256(content).hexdigest()
        image = Image.objects.filter(sha256=sha256).first()
        if image is None:
            with PILImage.open(BytesIO(content)) as picture:
                extension = FORMATS.get(picture.format, "jpg")
                width, height = picture.size
            name = storage.save(
                f"images/{timezone.now():%Y/%m}/{sha256[:20]}.{extension}", BytesIO(content)
            )
            image = Image.objects.create(
                file=name,
                width=width,
                height=height,
                sha256=sha256,
                alt=(article.cover_alt or article.title)[:200],
            )
            generate_renditions(image)
        article.cover_image = image
        article.save(update_fields=["cover_image"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_article_submitted_by"),
        ("images", "0001_image_library"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="cover_image",
            field=models.ForeignKey(
                blank=True,
                help_text="从图片库选用或上传；替代文字、图注、来源和裁剪焦点在图片库里设置",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="covers",
                to="images.image",
                verbose_name="封面图",
            ),
        ),
        migrations.AddField(
            model_name="historicalarticle",
            name="cover_image",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="从图片库选用或上传；替代文字、图注、来源和裁剪焦点在图片库里设置",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="images.image",
                verbose_name="封面图",
            ),
        ),
        migrations.RunPython(covers_into_library, migrations.RunPython.noop),
        migrations.RemoveField(model_name="article", name="cover"),
        migrations.RemoveField(model_name="article", name="cover_alt"),
        migrations.RemoveField(model_name="historicalarticle", name="cover"),
        migrations.RemoveField(model_name="historicalarticle", name="cover_alt"),
    ]
