"""PDFs checked to open, images re-encoded so their metadata (EXIF, GPS position, camera serial
numbers, text chunks) is left behind.

Images are decoded and saved again by Pillow with only their pixels, orientation (applied, so the
picture looks as it did) and colour profile. Animated GIF and WebP are checked to decode but kept
as sent: re-encoding every frame risks changing the animation, and GIF carries no EXIF. JPEG and
WebP re-encoding is lossy; at quality 95 the change is not visible for evidence photos.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Final

from PIL import Image, ImageOps
from pypdf import PasswordType, PdfReader

from shared.documents.refusals import DamagedFileError, TooLargeError

# Pillow's format name for each accepted image media type.
IMAGE_FORMATS: Final = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}
# Pillow's quality scale is 1-95; above 95 its documentation advises against (no gain, big files).
_LOSSY_QUALITY: Final = 95


@dataclass(frozen=True)
class ImageLimits:
    # A 48-megapixel phone camera (the largest common in 2025) makes 48 million pixels; 60 million
    # leaves room and stays under Pillow's own bomb warning (MAX_IMAGE_PIXELS, about 89 million).
    max_pixels: int = 60_000_000


def _damaged() -> DamagedFileError:
    return DamagedFileError("damaged", "This file is damaged and cannot be opened.")


def check_pdf(content: bytes) -> None:
    """Refuses a PDF that pypdf cannot open, or one locked by a password staff would not have."""
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise DamagedFileError(
                "password_protected",
                "This PDF is protected by a password. Send it without the password.",
            )
        if len(reader.pages) == 0:
            raise _damaged()
        reader.pages[0].mediabox  # noqa: B018 (reading the first page is the check)
    except DamagedFileError:
        raise
    except Exception as error:  # pypdf raises many types on malformed input
        raise _damaged() from error


def _open_checked(content: bytes, expected_format: str, limits: ImageLimits) -> Image.Image:
    # Our pixel limit is below Pillow's own bomb checks (a warning past MAX_IMAGE_PIXELS, an error
    # past twice that), so those only fire where warnings are errors; both mean too large. No
    # warnings.catch_warnings here: it is process-global, and this runs in worker threads.
    try:
        with Image.open(io.BytesIO(content)) as probe:
            if probe.format != expected_format:
                raise _damaged()
            if probe.width * probe.height > limits.max_pixels:
                raise TooLargeError("too_many_pixels", "This image is too large.")
            probe.verify()
        image = Image.open(io.BytesIO(content))
        image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise TooLargeError("too_many_pixels", "This image is too large.") from error
    except (DamagedFileError, TooLargeError):
        raise
    except Exception as error:  # Pillow raises OSError, SyntaxError, ValueError and others
        raise _damaged() from error
    return image


def reencode_image(content: bytes, media_type: str, limits: ImageLimits) -> bytes:
    """The image saved again without its metadata, or as sent when animated."""
    expected_format = IMAGE_FORMATS[media_type]
    image = _open_checked(content, expected_format, limits)
    with image:
        if getattr(image, "is_animated", False):
            return content
        icc_profile = image.info.get("icc_profile")
        upright = ImageOps.exif_transpose(image)
        options: dict[str, object] = {}
        if icc_profile and expected_format != "GIF":
            options["icc_profile"] = icc_profile
        if expected_format in {"JPEG", "WEBP"}:
            options["quality"] = _LOSSY_QUALITY
        if expected_format == "GIF" and "transparency" in image.info:
            options["transparency"] = image.info["transparency"]
        output = io.BytesIO()
        upright.save(output, format=expected_format, **options)
    return output.getvalue()
