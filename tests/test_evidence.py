"""Evidence is typed by content, stripped of metadata, hashed and stored outside static/."""

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from portal.evidence.sanitise import RejectedFile, clean, detect_type
from portal.evidence.storage import sign_staged, stage_upload, staging_path, unsign_staged
from tests.conftest import fake_exe, jpeg_with_gps, pdf_bytes, png_bytes


def exif_of(data):
    with Image.open(io.BytesIO(data)) as img:
        return img.getexif(), img.info


def test_source_photo_really_has_gps():
    exif, _ = exif_of(jpeg_with_gps())
    assert 0x8825 in exif and exif[0x010F] == "PhoneMaker"


def test_jpeg_with_gps_comes_out_without_any_exif():
    result = clean(jpeg_with_gps())
    exif, info = exif_of(result.data)
    assert result.metadata_stripped and result.mime_type == "image/jpeg"
    assert len(exif) == 0 and "exif" not in info
    assert b"PhoneMaker" not in result.data and b"GPS" not in result.data


def test_orientation_is_applied_before_the_tag_is_dropped():
    img = Image.new("RGB", (40, 20), (0, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° when displayed
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", exif=exif)
    with Image.open(io.BytesIO(clean(buffer.getvalue()).data)) as out:
        assert out.size == (20, 40)


def test_png_text_chunks_are_dropped():
    from PIL import PngImagePlugin

    meta = PngImagePlugin.PngInfo()
    meta.add_text("Author", "王小明")
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="PNG", pnginfo=meta)
    out = clean(buffer.getvalue())
    assert out.mime_type == "image/png" and "王小明".encode() not in out.data
    assert "Author" not in exif_of(out.data)[1]


def test_type_is_decided_by_content_not_name():
    assert detect_type(pdf_bytes()) == "application/pdf"
    assert detect_type(png_bytes()) == "image/png"
    with pytest.raises(RejectedFile) as refused:
        clean(fake_exe())
    assert refused.value.reason == "unsupported"


def test_empty_and_broken_files_are_refused():
    with pytest.raises(RejectedFile):
        clean(b"")
    with pytest.raises(RejectedFile) as broken:
        clean(jpeg_with_gps()[:40])  # JPEG header, no pixels
    assert broken.value.reason in ("broken_image", "unsupported")


def test_pdf_is_kept_byte_for_byte():
    result = clean(pdf_bytes())
    assert result.data == pdf_bytes() and not result.metadata_stripped


def test_staged_file_records_sha256_of_stored_bytes(app):
    staged = stage_upload(jpeg_with_gps(), "../../etc/现场.jpg")
    stored = staging_path(staged.token).read_bytes()
    assert staged.sha256 == hashlib.sha256(stored).hexdigest()
    assert staged.original_name == "现场.jpg"  # no path parts
    assert str(staging_path(staged.token)).startswith(app.config["EVIDENCE_DIR"])


def test_signed_staged_list_round_trips_and_rejects_forgery(app):
    staged = stage_upload(png_bytes(), "a.png")
    signed = sign_staged([staged])
    assert unsign_staged(signed) == [staged]
    body, _, mac = signed.rpartition(".")
    # Change the MAC's first character: its six bits all count (the last character's may not).
    assert unsign_staged(f"{body}.{'B' if mac[0] == 'A' else 'A'}{mac[1:]}") == []
    assert unsign_staged(signed.replace(body, body[:-1] + ("x" if body[-1] != "x" else "y"))) == []


def heic_bytes():
    from pillow_heif import register_heif_opener

    register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (1, 2, 3)).save(buffer, format="HEIF")
    return buffer.getvalue()


def test_heic_from_iphones_is_converted_to_plain_jpeg():
    result = clean(heic_bytes())
    assert result.mime_type == "image/jpeg" and result.extension == "jpg"
    assert detect_type(result.data) == "image/jpeg"


@pytest.mark.parametrize(
    "data, mime",
    [
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64, "video/mp4"),
        (b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00" * 64, "audio/x-m4a"),
        (
            b"ID3\x03\x00\x00\x00\x00\x00\x0a" + b"\x00" * 10 + b"\xff\xfb\x90\x64" + b"\x00" * 400,
            "audio/mpeg",
        ),
    ],
)
def test_video_and_audio_are_accepted_by_content(data, mime):
    result = clean(data)
    assert result.mime_type == mime and result.data == data and not result.metadata_stripped


def test_image_with_too_many_pixels_is_refused(monkeypatch):
    from portal.evidence import sanitise

    monkeypatch.setattr(sanitise, "MAX_PIXELS", 32 * 32 - 1)
    with pytest.raises(RejectedFile) as refused:
        clean(png_bytes((32, 32)))
    assert refused.value.reason == "image_too_large"
    assert clean(png_bytes((31, 32))).mime_type == "image/png"


def test_file_size_limit_is_checked_where_files_are_staged(app):
    app.config["MAX_FILE_MB"] = 1
    with pytest.raises(RejectedFile) as refused:
        stage_upload(pdf_bytes() + b"0" * (1024 * 1024), "big.pdf")
    assert refused.value.reason == "too_large"
    assert not (Path(app.config["EVIDENCE_DIR"]) / "staging").exists()
