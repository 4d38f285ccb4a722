"""Decide a file's type by its content and strip image metadata (EXIF, GPS) before storing."""

import ctypes
import io
import threading
import warnings
from dataclasses import dataclass

import magic
from PIL import Image, ImageOps, UnidentifiedImageError

# MAX_PIXELS (below) is lower than Pillow's bomb limit, so its warning only repeats a refusal.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)

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

# The largest photo a phone takes at its usual settings: 50 MP sensors are the common top
# (Sony IMX766: 8192×6144 = 50.3 MP; Samsung GN1: 8160×6120); 108 and 200 MP sensors bin to 12
# or 50 MP unless a "full resolution" mode is chosen, and then the citizen is asked for a
# smaller copy. Such an image decodes to about 150 MB of RGB (the 80 MP cap before let a 311 KB
# PNG cost 620 MB and 2.9 s).
MAX_PIXELS = 8192 * 6144
# Decoding is what costs memory: at most this many images per worker at once, and a file that
# would wait longer than DECODE_WAIT_SECONDS is refused as "busy" (the citizen sends it again).
DECODE_SLOTS = 2
DECODE_WAIT_SECONDS = 2.0
_decoding = threading.BoundedSemaphore(DECODE_SLOTS)

try:  # glibc only (Debian's Python); elsewhere memory is left to the allocator
    _LIBC = ctypes.CDLL("libc.so.6")
    _LIBC.malloc_trim.argtypes = [ctypes.c_size_t]
except (OSError, AttributeError):
    _LIBC = None

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


def _heif_opener():
    """Teach Pillow HEIC/HEIF (iPhone photos) the first time one arrives: pillow_heif and its
    library cost every worker about 7 MB, and most workers never see such a photo."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


def _give_back_memory():
    """Return the freed pixels to the system. A 2 MB photo decodes to ~7 MB of pixels and glibc
    keeps freed heap memory for reuse: a worker stays at its largest (issue 7 wants ≤ 120 MB).
    The benchmark's worker went 129 → 119 MB with it; how much a single trim gives back varies
    (2–22 MB of free heap left after six photos, measured), so no test pins a figure. malloc_trim
    costs about a millisecond; only image uploads call it."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _strip_image(data, mime):
    """Re-encode the pixels only; EXIF, GPS, XMP and comments are not carried over."""
    if mime in ("image/heic", "image/heif") and "HEIF" not in Image.OPEN:
        _heif_opener()
    try:
        with Image.open(io.BytesIO(data)) as img:
            # A small file that decodes to a huge bitmap would exhaust memory: refuse it before
            # decoding. (Pillow's own bomb limit is higher; its error gets the same advice.)
            if img.width * img.height > MAX_PIXELS:
                raise RejectedFile("image_too_large")
            if not _decoding.acquire(timeout=DECODE_WAIT_SECONDS):
                raise RejectedFile("busy")
            try:
                return _reencode(img, mime)
            finally:
                _decoding.release()
    except Image.DecompressionBombError as exc:
        raise RejectedFile("image_too_large") from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise RejectedFile("broken_image") from exc


def _reencode(img, mime):
    """Decode and save the pixels alone (the slow, memory-hungry part)."""
    img.load()
    upright = ImageOps.exif_transpose(img)  # keep how the photo looked, drop the tags
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
        try:
            data, mime = _strip_image(data, mime)
        finally:
            _give_back_memory()  # here: every image object of the decoding is gone by now
        return CleanFile(data, mime, extension, True)
    return CleanFile(data, mime, extension, False)
