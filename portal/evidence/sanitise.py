"""Decide a file's type by its content and strip image metadata (EXIF, GPS) before storing."""

import io
import warnings
from dataclasses import dataclass

import magic
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()

# Content type → (extension, kind). Extensions are ours, never the uploader's.
ALLOWED = {
    "image/jpeg": ("jpg", "image"),
    "image/png": ("png", "image"),
    "image/webp": ("webp", "image"),
    "image/heic": ("jpg", "image"),  # converted to JPEG so every staff browser can open it
    "image/heif": ("jpg", "image"),
    "application/pdf": ("pdf", "document"),
    "video/mp4": ("mp4", "video"),
    "audio/mpeg": ("mp3", "audio"),
    "audio/mp4": ("m4a", "audio"),
    "audio/x-m4a": ("m4a", "audio"),
}

MAX_PIXELS = 80_000_000  # beyond any phone camera (a 200 MP sensor bins to 50 MP by default)

_SAVE_FORMAT = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


class RejectedFile(ValueError):
    """The file cannot be accepted; .reason is a translatable message for the citizen."""

    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True)
class CleanFile:
    data: bytes
    mime_type: str
    extension: str
    metadata_stripped: bool


def detect_type(data):
    return magic.from_buffer(data[:65536], mime=True)


def _strip_image(data, mime):
    """Re-encode the pixels only; EXIF, GPS, XMP and comments are not carried over."""
    try:
        with warnings.catch_warnings():
            # A small file that decodes to a huge bitmap would exhaust memory: refuse it.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.width * img.height > MAX_PIXELS:
                    raise RejectedFile("image_too_large")
                img.load()
                upright = ImageOps.exif_transpose(img)  # keep how the photo looked, drop the tags
    except (
        UnidentifiedImageError,
        OSError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise RejectedFile("broken_image") from exc
    out_format = _SAVE_FORMAT.get(mime, "JPEG")
    if out_format == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    buffer = io.BytesIO()
    options = {"quality": 92} if out_format in ("JPEG", "WEBP") else {}
    upright.save(buffer, format=out_format, **options)
    return buffer.getvalue(), ("image/jpeg" if out_format == "JPEG" else mime)


def clean(data):
    """Return the bytes to store, or raise RejectedFile with a reason code."""
    if not data:
        raise RejectedFile("empty")
    mime = detect_type(data)
    if mime not in ALLOWED:
        raise RejectedFile("unsupported")
    extension, kind = ALLOWED[mime]
    if kind == "image":
        data, mime = _strip_image(data, mime)
        return CleanFile(data, mime, extension, True)
    return CleanFile(data, mime, extension, False)
