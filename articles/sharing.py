"""The 分享 tools' QR code: the page's address as an SVG, for WeChat's 扫一扫.

Made on the server by segno (pure Python, no image library, SVG out of the box), so the page
needs no QR script; each address's code is kept in the shared cache, as it never changes.
"""

import io

import segno
from django.core.cache import cache

QR_CACHE_SECONDS = 60 * 60 * 24 * 30


def qr_svg(address: str) -> str:
    def make() -> str:
        buffer = io.BytesIO()
        # Error correction M survives a phone camera's glare; a 2-module border is enough on white.
        segno.make(address, error="m").save(
            buffer, kind="svg", scale=4, border=2, xmldecl=False, dark="#1f2328", title=address
        )
        return buffer.getvalue().decode()

    return cache.get_or_set(f"qr:{address}", make, QR_CACHE_SECONDS)
