"""What an uploaded image must be before it enters the library.

One rule for every way in (the admin's upload form, drag and drop, a paste into the body editor):
a JPEG, PNG, WebP or GIF that Pillow can read, of at most :data:`MAX_PIXELS` pixels. The pixel
count is read from the file's header before anything is decoded, so a decompression bomb (a small
file that would unpack into gigabytes) is refused without being opened any further.
"""

import hashlib
import warnings

from django.core.exceptions import ValidationError
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

#: 10,000 × 5,000. A 6000 × 4000 camera photo is 24 million.
MAX_PIXELS = 50_000_000
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


def inspect(upload) -> tuple[str, int, int]:
    """``(extension, width, height)`` of an acceptable image, else a ``ValidationError`` that
    says what is wrong with the file, by name."""
    name = getattr(upload, "name", "") or "文件"
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(upload) as picture:
                kind, (width, height) = picture.format, picture.size
                if width * height > MAX_PIXELS:
                    raise _too_big(name, width, height)
                picture.verify()  # reads the file through: truncated or corrupt files fail here
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as error:
        raise ValidationError(
            f"「{name}」不能作为图片上传：像素数超过上限（{error}），可能是“解压炸弹”。",
            code="image_bomb",
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            f"「{name}」不是可以识别的图片文件（只接受 JPEG、PNG、WebP、GIF）。",
            code="not_an_image",
        ) from error
    finally:
        upload.seek(0)
    if kind not in FORMATS:
        raise ValidationError(
            f"「{name}」是 {kind} 格式，只接受 JPEG、PNG、WebP、GIF。", code="image_format"
        )
    return FORMATS[kind], width, height


def _too_big(name, width, height):
    return ValidationError(
        f"「{name}」有 {width}×{height} 像素，超过 {MAX_PIXELS // 10_000:,} 万像素的上限，"
        "可能是“解压炸弹”；请缩小后再上传。",
        code="image_bomb",
    )


def content_hash(upload) -> str:
    """SHA-256 of the file: the same picture uploaded twice is stored once."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1 << 20), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
