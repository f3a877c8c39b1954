"""What an uploaded photo or document (整改佐证) must be before rectify stores it, and what is stored.

A photo is decoded and drawn again as a new JPEG from its pixels alone: EXIF (GPS included), comments,
colour profiles and anything appended after the image (an HTML or script polyglot) do not survive, and
the orientation the camera recorded is applied first so the picture still stands the right way up. A
PDF is kept as it is, and only ever served as a download. The type is read from the bytes, never from
the file name or the browser's word. The stored hash is the hash of the bytes stored.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from lookback.contracts.rectify import Evidence, EvidenceType

MAX_PIXELS = 40_000_000
"""A decompression bomb is refused before it is decoded: 40 megapixels is above any phone camera."""
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow itself refuses twice that on open, whatever the caller
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
"""What Pillow may open as a photo; HEIF only where a plugin for it is installed."""
JPEG_QUALITY = 85


class UploadRefused(Exception):
    """The upload is not kept; `status` is the HTTP answer (413 too large, 415 not a photo or a PDF)."""

    def __init__(self, status: int, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.status = status
        self.zh = zh
        self.en = en


@dataclass(frozen=True)
class Stored:
    data: bytes
    media_type: EvidenceType

    @property
    def evidence(self) -> Evidence:
        return Evidence(sha256=hashlib.sha256(self.data).hexdigest(), media_type=self.media_type, size=len(self.data))


def too_large(limit: int) -> UploadRefused:
    return UploadRefused(
        413, f"文件过大：不能超过 {limit // (1024 * 1024)} MB", f"the file is too large: at most {limit} bytes"
    )


def accept(data: bytes, limit: int) -> Stored:
    """The bytes to store for an upload, or `UploadRefused` saying why not."""
    if len(data) > limit:
        raise too_large(limit)
    if not data:
        raise UploadRefused(415, "文件为空", "the file is empty")
    if data.startswith(b"%PDF-"):
        return Stored(data, "application/pdf")
    return Stored(_reencoded(data), "image/jpeg")


def _reencoded(data: bytes) -> bytes:
    try:
        with Image.open(io.BytesIO(data), formats=_openable()) as image:
            if image.width * image.height > MAX_PIXELS:
                raise _bomb()
            upright = ImageOps.exif_transpose(image)
            pixels = _flattened(upright)
    except Image.DecompressionBombError as err:
        raise _bomb() from err
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise UploadRefused(
            415, "只能上传照片（JPEG、PNG、WebP）或 PDF 文件", "only photos (JPEG, PNG, WebP) or PDF documents"
        ) from None
    out = io.BytesIO()
    pixels.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _openable() -> list[str]:
    Image.init()
    return [f for f in PHOTO_FORMATS if f in Image.OPEN]


def _flattened(image: Image.Image) -> Image.Image:
    """Plain RGB pixels in a new image: transparency on white (as the photo looked on the page), a palette
    expanded, and nothing of the original's `info` (a JPEG comment, a colour profile) carried to the save."""
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        image = white
    rgb = image.convert("RGB")
    return Image.frombytes("RGB", rgb.size, rgb.tobytes())


def _bomb() -> UploadRefused:
    return UploadRefused(
        413,
        f"图片像素过多：不能超过 {MAX_PIXELS // 1_000_000} 百万像素",
        f"the image has more than {MAX_PIXELS} pixels",
    )
