"""The upload rules of 整改佐证: what is stored of a photo is its pixels alone, a PDF as it is, anything else
refused in both languages; never a crash."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from services.rectify.domain.uploads import MAX_PIXELS, UploadRefused, accept

LIMIT = 1024 * 1024
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def photo(fmt: str = "JPEG", size: tuple[int, int] = (40, 20), **save: object) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def with_gps_and_orientation() -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # the camera was held on its side: rotate 90° clockwise to view
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (26.0, 34.0, 12.0), 3: "E", 4: (106.0, 42.0, 30.0)})
    return photo(exif=exif.tobytes())


def test_a_photo_is_stored_as_a_new_jpeg_without_exif_and_standing_upright() -> None:
    original = with_gps_and_orientation()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the fixture does carry GPS
    stored = accept(original, LIMIT)
    assert stored.media_type == "image/jpeg"
    kept = Image.open(io.BytesIO(stored.data))
    assert kept.format == "JPEG" and kept.size == (20, 40)  # orientation applied, then dropped
    assert not kept.getexif() and "exif" not in kept.info
    assert b"Exif" not in stored.data and b"PhoneMaker" not in stored.data


def test_the_hash_is_of_the_stored_bytes() -> None:
    stored = accept(with_gps_and_orientation(), LIMIT)
    evidence = stored.evidence
    assert evidence.sha256 == hashlib.sha256(stored.data).hexdigest()
    assert evidence.sha256 != hashlib.sha256(with_gps_and_orientation()).hexdigest()
    assert evidence.size == len(stored.data) and evidence.media_type == "image/jpeg"


def test_html_in_a_jpeg_comes_out_a_plain_jpeg() -> None:
    script = b"<html><script>alert(document.cookie)</script></html>"
    polyglot = photo(comment=script) + script  # in a COM segment and after the end of the image
    stored = accept(polyglot, LIMIT)
    assert b"<script" not in stored.data and b"<html" not in stored.data and b"alert" not in stored.data
    assert Image.open(io.BytesIO(stored.data)).format == "JPEG"


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_become_jpeg(fmt: str) -> None:
    stored = accept(photo(fmt), LIMIT)
    assert stored.media_type == "image/jpeg" and stored.data.startswith(b"\xff\xd8")


def test_a_transparent_png_is_flattened_on_white() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (4, 4), (0, 0, 0, 0)).save(out, "PNG")
    kept = Image.open(io.BytesIO(accept(out.getvalue(), LIMIT).data))
    darkest, _ = kept.convert("L").getextrema()
    assert isinstance(darkest, int) and darkest > 240


def test_a_pdf_is_kept_as_it_is() -> None:
    pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
    stored = accept(pdf, LIMIT)
    assert (stored.data, stored.media_type) == (pdf, "application/pdf")


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body>not a photo</body></html>",
        b"GIF89a" + b"\x00" * 20,
        photo("GIF"),
        photo("BMP"),
        b"\xff\xd8\xff\xe0 truncated jpeg",
    ],
    ids=["html", "gif-header", "gif", "bmp", "broken-jpeg"],
)
def test_anything_else_is_refused_415_in_both_languages(data: bytes) -> None:
    with pytest.raises(UploadRefused) as refused:
        accept(data, LIMIT)
    assert refused.value.status == 415 and "PDF" in refused.value.zh and "PDF" in refused.value.en


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(UploadRefused) as refused:
        accept(b"", LIMIT)
    assert refused.value.status == 415 and refused.value.zh and refused.value.en


def test_a_file_over_the_cap_is_refused_413() -> None:
    with pytest.raises(UploadRefused) as refused:
        accept(b"%PDF-" + b"0" * LIMIT, LIMIT)
    assert refused.value.status == 413 and "MB" in refused.value.zh and str(LIMIT) in refused.value.en


def test_a_decompression_bomb_is_refused_not_decoded() -> None:
    side = int(MAX_PIXELS**0.5) + 100
    bomb = photo("PNG", size=(side, side), optimize=False)  # one colour: a few KB on disk, 41 MP unpacked
    assert len(bomb) < LIMIT
    with pytest.raises(UploadRefused) as refused:
        accept(bomb, LIMIT)
    assert refused.value.status == 413 and refused.value.zh and refused.value.en


def test_a_far_bigger_bomb_is_refused_too() -> None:
    """Above twice the limit Pillow raises on open, before our own check: still a refusal."""
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")
    with pytest.raises(UploadRefused) as refused:
        accept(out.getvalue(), 10 * LIMIT)
    assert refused.value.status == 413
