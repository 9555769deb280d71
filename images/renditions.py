"""The sizes pages serve: WebP and JPEG at 320, 640, 960 and 1280 px, in two shapes.

- ``full``: the whole picture at its own proportions (body images);
- ``wide``: a 16:9 crop that keeps the focal point in view (covers, cards, the home's lead).

Pillow through this small module rather than django-imagekit or easy-thumbnails: both make
a size on first request from a template tag, which costs a storage round trip per image per page
to learn whether the file exists, and neither crops to a focal point without a plug-in. Here the
files are made once, after the upload, by :func:`generate_renditions` in a background job
(:func:`make_renditions`), and their sizes are stored on the image row: a page builds every
``srcset`` from the rows it already read, with no query or storage call per image.

A JPEG is decoded at a reduced scale (libjpeg's DCT scaling through ``Image.draft``): a 6000×4000
photo needs a quarter of its width for a 1280 px rendition, which cuts decoding time and memory
by about 16×. ``bench/renditions.py`` measures it.

The job, not the editor's upload, pays that (about a second and sixteen files for a 6000×4000
JPEG). Until it has run, pages show the original with its width and height
(:func:`images.html.picture`), so nothing shifts when the renditions arrive; a new focal point
keeps the previous renditions on the pages until the new ones exist.
"""

import io
import warnings
from math import ceil

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django_tasks import task
from PIL import Image as PILImage
from PIL import ImageOps

from .files import MAX_PIXELS

WIDTHS = (320, 640, 960, 1280)
WIDE = (16, 9)
FORMATS = (
    ("webp", "WEBP", {"quality": 76, "method": 4}),
    ("jpg", "JPEG", {"quality": 82, "optimize": True, "progressive": True}),
)
MIME = {"webp": "image/webp", "jpg": "image/jpeg"}
_ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height


def rendition_key(image) -> str:
    """Part of every rendition's name: a new focal point gives new names (and fresh caches)."""
    return f"{image.sha256[:20]}-{round(image.focal_x * 1000):03d}{round(image.focal_y * 1000):03d}"


def rendition_name(image, kind: str, width: int, extension: str, key: str | None = None) -> str:
    key = key or image.renditions.get("key") or rendition_key(image)
    return f"renditions/{image.sha256[:2]}/{key}-{kind}-{width}.{extension}"


def wide_box(width: int, height: int, focal: tuple[float, float]) -> tuple[int, int, int, int]:
    """The largest 16:9 box inside ``width``×``height``, centred on the focal point as far as
    the edges allow."""
    box_w = min(width, height * WIDE[0] // WIDE[1])
    box_h = min(height, box_w * WIDE[1] // WIDE[0])
    left = min(max(round(focal[0] * width - box_w / 2), 0), width - box_w)
    top = min(max(round(focal[1] * height - box_h / 2), 0), height - box_h)
    return (left, top, left + box_w, top + box_h)


def widths_for(width: int) -> list[int]:
    """The standard widths the source can fill; a picture narrower than 320 px gets its own."""
    return [w for w in WIDTHS if w <= width] or [width]


def _decode(file) -> PILImage.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        source = PILImage.open(file)
    if source.width * source.height > MAX_PIXELS:
        raise ValueError(f"{source.width}×{source.height} 像素，超过上限")
    width, height = source.size
    if source.getexif().get(0x0112) in _ROTATED:
        width, height = height, width
    # The narrowest thing we cut is the 16:9 crop; decode just enough for it to be 1280 px wide.
    crop_width = min(width, height * WIDE[0] // WIDE[1])
    scale = min(1.0, max(WIDTHS) / crop_width)
    if scale < 1.0 and source.format == "JPEG":
        raw_w, raw_h = source.size
        source.draft("RGB", (ceil(raw_w * scale), ceil(raw_h * scale)))
    picture = ImageOps.exif_transpose(source)
    if picture.mode in ("RGBA", "LA", "P", "PA"):
        picture = picture.convert("RGBA")
        flat = PILImage.new("RGB", picture.size, "white")
        flat.paste(picture, mask=picture.getchannel("A"))
        picture = flat
    elif picture.mode != "RGB":
        picture = picture.convert("RGB")
    source.close()
    return picture


def generate_renditions(image) -> dict:
    """Make, store and list every rendition of ``image``; remove those of its previous focal
    point. Returns (and saves on the row) ``{"key", "full": [[w, h], …], "wide": [[w, h], …]}``;
    the sizes are those of the image as stored (before any draft scaling)."""
    storage = image.file.storage
    key = rendition_key(image)
    focal = (image.focal_x, image.focal_y)
    with image.file.open("rb") as file:
        picture = _decode(file)
    # Sizes in the original's pixels: a draft-decoded picture is smaller by a known factor.
    factor = image.width / picture.width if picture.width else 1.0
    shapes = {"full": picture}
    box = wide_box(image.width, image.height, focal)
    shapes["wide"] = picture.crop(tuple(round(v / factor) for v in box))
    listing: dict = {"key": key}
    for kind, shape in shapes.items():
        true_width = round(shape.width * factor)
        true_height = round(shape.height * factor)
        sizes = []
        for width in widths_for(true_width):
            height = max(1, round(true_height * width / true_width))
            resized = shape.resize((width, height), PILImage.Resampling.LANCZOS, reducing_gap=3.0)
            for extension, pil_format, options in FORMATS:
                buffer = io.BytesIO()
                resized.save(buffer, pil_format, **options)
                name = rendition_name(image, kind, width, extension, key)
                if storage.exists(name):
                    storage.delete(name)
                storage.save(name, ContentFile(buffer.getvalue()))
            sizes.append([width, height])
        listing[kind] = sizes
    old = image.renditions or {}
    if old.get("key") and old["key"] != key:
        delete_renditions(image, old)
    image.renditions = listing
    if image.pk:
        type(image).objects.filter(pk=image.pk).update(renditions=listing)
    return listing


@task()
def make_renditions(image_id: int, key: str) -> str:
    """Make the renditions of image ``image_id`` for ``key`` (its content and focal point when
    the job was queued). A job whose image has moved on since (deleted, a newer focal point with
    a job of its own) does nothing; one stopped halfway wrote no row and is simply run again."""
    # By name: the model module queues this job, and this module is below it.
    image = apps.get_model("images", "Image").objects.filter(pk=image_id).first()
    if image is None:
        return "deleted"
    if rendition_key(image) != key:
        return "superseded"
    if image.renditions.get("key") == key:
        return "made already"
    generate_renditions(image)
    image.save(update_fields=["renditions"])  # and the cached pages showing it are retired
    return key


def delete_renditions(image, listing: dict | None = None) -> None:
    listing = image.renditions if listing is None else listing
    storage = image.file.storage
    for kind in ("full", "wide"):
        for width, _height in listing.get(kind, []):
            for extension, _format, _options in FORMATS:
                storage.delete(rendition_name(image, kind, width, extension, listing["key"]))


def share_image_url(image) -> str:
    """The picture link previews and search engines take, as an absolute URL: the largest 16:9
    JPEG (the original until the renditions exist)."""
    wide = image.renditions.get("wide")
    if wide:
        url = image.file.storage.url(rendition_name(image, "wide", wide[-1][0], "jpg"))
    else:
        url = image.file.url
    return settings.SITE_URL + url if url.startswith("/") else url


def srcset(image, kind: str, extension: str) -> str:
    """``url 320w, url 640w, …`` for one shape and format; empty before the renditions exist."""
    storage = image.file.storage
    return ", ".join(
        f"{storage.url(rendition_name(image, kind, width, extension))} {width}w"
        for width, _height in image.renditions.get(kind, [])
    )
