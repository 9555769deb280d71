"""Pictures in HTML: ``<picture>`` with WebP and JPEG ``srcset`` for a library image.

The article body keeps plain ``<img src>`` (what editors and the sanitiser know); on the way to
a reader each body image that comes from the library is given its renditions, its size and lazy
loading, with one query for the whole body.
"""

import re
from html import unescape

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .models import Image
from .renditions import rendition_name, srcset

#: What a body ``<img>`` looks like after the sanitiser (attributes double-quoted).
_IMG = re.compile(r"<img\b[^>]*>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_STORED = re.compile(r"images/\d{4}/\d{2}/[0-9a-f]{20}\.(?:jpg|png|webp|gif)")

#: The article column is at most 720 px; on a phone it is the screen less the margins.
BODY_SIZES = "(max-width: 760px) calc(100vw - 32px), 720px"


def picture(
    image: Image, *, kind: str = "wide", sizes: str, alt: str | None = None,
    css_class: str = "", lead: bool = False,
) -> SafeString:  # fmt: skip
    """A ``<picture>``: WebP first, JPEG for browsers without it, the size of the largest
    rendition as ``width``/``height`` (no layout shift); lazy unless it is the ``lead`` image,
    which is fetched first instead."""
    alt = image.alt if alt is None else alt
    sizes_list = image.renditions.get(kind) or []
    loading = (
        mark_safe(' fetchpriority="high" decoding="async"')
        if lead
        else mark_safe(' loading="lazy" decoding="async"')
    )
    css = format_html(' class="{}"', css_class) if css_class else ""
    if not sizes_list:  # renditions not made (yet): the original, still with its size
        return format_html(
            '<img src="{}" alt="{}" width="{}" height="{}"{}{}>',
            image.file.url, alt, image.width, image.height, css, loading,
        )  # fmt: skip
    width, height = sizes_list[-1]
    fallback = srcset(image, kind, "jpg")
    # For browsers that read neither srcset nor picture: a middling size.
    src_width = sizes_list[min(1, len(sizes_list) - 1)][0]
    src = image.file.storage.url(rendition_name(image, kind, src_width, "jpg"))
    return format_html(
        '<picture><source type="image/webp" srcset="{}" sizes="{}">'
        '<img src="{}" srcset="{}" sizes="{}" alt="{}" width="{}" height="{}"{}{}></picture>',
        srcset(image, kind, "webp"), sizes, src, fallback, sizes, alt, width, height,
        css, loading,
    )  # fmt: skip


def responsive_body(html: str) -> str:
    """``html`` with each library ``<img>`` made a :func:`picture` of its ``full`` renditions."""
    names = set(_STORED.findall(html))
    if not names:
        return html
    images = {image.file.name: image for image in Image.objects.filter(file__in=names)}

    def replace(match: re.Match) -> str:
        attrs = dict(_ATTR.findall(match.group(0)))
        found = _STORED.search(attrs.get("src", ""))
        image = images.get(found.group(0)) if found else None
        if image is None:
            return match.group(0)
        alt = unescape(attrs["alt"]) if attrs.get("alt") else image.alt
        return picture(image, kind="full", sizes=BODY_SIZES, alt=alt)

    return _IMG.sub(replace, html)
