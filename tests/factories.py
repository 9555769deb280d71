"""``make_*`` helpers: sensible defaults, anything overridable by keyword."""

import io
import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image as PILImage

from articles.models import Article, Category, Tag
from images.models import Image
from indicators.models import Indicator, Observation

_seq = itertools.count(1)


def make_category(**kwargs):
    n = next(_seq)
    kwargs.setdefault("name", f"测试栏目{n}")
    kwargs.setdefault("slug", f"test-category-{n}")
    return Category.objects.create(**kwargs)


def make_tag(**kwargs):
    kwargs.setdefault("name", f"标签{next(_seq)}")
    return Tag.objects.create(**kwargs)


def make_article(**kwargs):
    tags = kwargs.pop("tags", [])
    n = next(_seq)
    kwargs.setdefault("title", f"国家高新区建设进展第{n}期")
    if "category" not in kwargs:
        kwargs["category"] = Category.objects.order_by("id").first() or make_category()
    kwargs.setdefault("status", Article.Status.PUBLISHED)
    kwargs.setdefault("published_at", timezone.now() - timedelta(hours=n))
    kwargs.setdefault("body", f"<p>第{n}篇文章的正文：园区产业稳步发展。</p>")
    kwargs.setdefault("summary", "园区产业稳步发展")
    article = Article.objects.create(**kwargs)
    if tags:
        article.tags.set(tags)
    return article


def make_articles(count, **kwargs):
    return [make_article(**kwargs) for _ in range(count)]


def make_indicator(**kwargs):
    n = next(_seq)
    kwargs.setdefault("name", f"测试指标{n}")
    kwargs.setdefault("slug", f"test-indicator-{n}")
    kwargs.setdefault("unit", "家")
    return Indicator.objects.create(**kwargs)


def make_observation(**kwargs):
    if "indicator" not in kwargs:
        kwargs["indicator"] = make_indicator()
    kwargs.setdefault("period", "2024")
    kwargs.setdefault("value", 178)
    return Observation.objects.create(**kwargs)


def make_user(username=None, *, groups=(), **kwargs):
    username = username or f"user{next(_seq)}"
    kwargs.setdefault("is_staff", True)
    user = get_user_model().objects.create_user(
        username=username, password="pw-不要用-123", **kwargs
    )
    if groups:
        user.groups.set(Group.objects.filter(name__in=groups))
    return user


def jpeg_bytes(width=1600, height=900, *, color=None, image_format="JPEG") -> bytes:
    """A picture of that size; each call's colour differs, so each is a new file."""
    n = next(_seq)
    color = color or ((n * 37) % 256, (n * 91) % 256, (n * 53) % 256)
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(buffer, image_format)
    return buffer.getvalue()


def image_upload(name="照片.jpg", **kwargs):
    return SimpleUploadedFile(name, jpeg_bytes(**kwargs), content_type="image/jpeg")


def make_image(**kwargs):
    """A library image (its renditions made: tests run the job as it is queued)."""
    size = {key: kwargs.pop(key) for key in ("width", "height") if key in kwargs}
    kwargs.setdefault("file", image_upload(**size))
    kwargs.setdefault("alt", f"园区航拍图{next(_seq)}")
    image = Image(**kwargs)
    image.save()
    image.refresh_from_db()  # the job wrote the renditions to the row
    return image
