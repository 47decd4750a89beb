"""Resizing and encoding images, once per content and settings (the cache).

An image becomes an `ImageSet`: the same picture at a few widths, in each
modern format and in its fallback format. Before anything is encoded, the
EXIF orientation is applied to the pixels, colours are converted to sRGB,
and every piece of metadata is dropped (EXIF with the GPS position, XMP,
the ICC profile, comments): encoded files carry pixels only.

Encoded files are kept in a cache folder, one folder per set, named by a
hash of the source file's bytes and of everything that changes the result
(the widths, formats and qualities, the encoder options, Pillow's version),
so a set is encoded once and reused by every later build that asks for it.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import PIL
from PIL import Image, ImageCms, ImageOps

from .settings import Config

logger = logging.getLogger(__name__)

# Bump when the processing below changes what is written: every set is
# encoded again (and gets new names).
RECIPE_VERSION = 1
# The sources the plugin resizes. Animated images (GIF, animated WebP or
# PNG) and vector images are left as they are.
PROCESSED_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".avif"})
EXTENSIONS = {"avif": "avif", "webp": "webp", "jpeg": "jpg", "png": "png"}
MEDIA_TYPES = {
    "avif": "image/avif",
    "webp": "image/webp",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
# libavif's speed 8 writes files within about 2% of speed 6's size in a
# quarter of the time.
AVIF_SPEED = 8
# The largest width `src` (for what ignores srcset: old feed readers, mail)
# is given.
SRC_MAX_WIDTH = 800
MANIFEST = "set.json"
SRGB = ImageCms.createProfile("sRGB")
UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


class ImageNotProcessedError(Exception):
    """An image the plugin leaves as it is. The message says why."""


class UnreadableImageError(ImageNotProcessedError):
    """Pillow cannot read the image (a broken or unknown file)."""


class AnimatedImageError(ImageNotProcessedError):
    """An animated image: resizing would keep one frame only."""


@dataclass(frozen=True)
class Variant:
    """One encoded file: its format, size and URL (relative to SITEURL)."""

    format: str
    width: int
    height: int
    url: str

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


@dataclass(frozen=True)
class ImageSet:
    """One source image at every width, in each format (fallback last)."""

    source: Path
    width: int  # of the widest variant: the image's size in the markup
    height: int
    formats: tuple[str, ...]  # modern formats in order of preference, then the fallback
    variants: tuple[Variant, ...]

    @property
    def fallback_format(self) -> str:
        return self.formats[-1]

    def of_format(self, image_format: str) -> list[Variant]:
        """The variants of one format, narrowest first."""
        return [each for each in self.variants if each.format == image_format]

    @property
    def src(self) -> Variant:
        """The fallback variant for `src`: the widest up to SRC_MAX_WIDTH."""
        fallbacks = self.of_format(self.fallback_format)
        fitting = [each for each in fallbacks if each.width <= SRC_MAX_WIDTH]
        return fitting[-1] if fitting else fallbacks[0]

    @property
    def largest(self) -> Variant:
        """The widest fallback variant (what a link to the original gets)."""
        return self.of_format(self.fallback_format)[-1]


def target_widths(source_width: int, widths: tuple[int, ...]) -> list[int]:
    """The widths a source is resized to: never wider than itself."""
    chosen = [width for width in widths if width < source_width]
    if source_width <= widths[-1]:
        chosen.append(source_width)
    return chosen


def safe_stem(path: Path) -> str:
    """The file name's stem in URL-safe characters ("My photo" -> "My-photo")."""
    return UNSAFE_NAME.sub("-", path.stem).strip("-")[:60] or "image"


class ImageCache:
    """Image sets of one build: made (or found in the cache) and put in the output."""

    def __init__(self, config: Config, settings: dict):
        self.config = config
        self.folder = Path(config.cache_path)
        # Read when a copy is placed: a preview server may build into a
        # staging folder and move it into place before it renders again.
        self.settings = settings
        self.recipe = (
            f"v{RECIPE_VERSION};pillow={PIL.__version__};avif-speed={AVIF_SPEED};"
            f"{config.recipe()}"
        )
        self.encoded = 0  # files encoded by this build
        self.reused = 0  # files taken from the cache

    def image_set(self, source: Path) -> ImageSet:
        """The set of `source`, encoding it unless the cache has it.

        Raises an ImageNotProcessedError for an image left as it is, OSError
        when the source cannot be read.
        """
        data = source.read_bytes()
        key = hashlib.sha256(
            hashlib.sha256(data).digest() + self.recipe.encode()
        ).hexdigest()
        entry = self.folder / key[:2] / key
        manifest = self._read_manifest(entry)
        if manifest is None:
            manifest = self._encode(data, source, entry)
        else:
            self.reused += len(manifest["files"])
        name = f"{safe_stem(source)}-{key[:10]}"
        output = Path(self.settings["OUTPUT_PATH"])
        variants = []
        for image_format, width, height in manifest["files"]:
            file_name = f"{name}-{width}.{EXTENSIONS[image_format]}"
            url = f"{self.config.output_dir}/{file_name}"
            self._place(entry / f"{width}.{EXTENSIONS[image_format]}", output / url)
            variants.append(Variant(image_format, width, height, url))
        widest = max(variants, key=lambda each: each.width)
        return ImageSet(
            source=source,
            width=widest.width,
            height=widest.height,
            formats=tuple(manifest["formats"]),
            variants=tuple(variants),
        )

    def _read_manifest(self, entry: Path) -> dict | None:
        """The cached set's manifest, if the set is complete."""
        try:
            manifest = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
            files = manifest["files"]
            if all(
                (entry / f"{width}.{EXTENSIONS[fmt]}").is_file()
                for fmt, width, _height in files
            ):
                return manifest
        except (OSError, ValueError, KeyError, TypeError):
            pass  # no entry, or a broken one: encode again
        return None

    def _encode(self, data: bytes, source: Path, entry: Path) -> dict:
        """Encode every variant of one source into its cache entry."""
        image, source_format = open_upright(data, source)
        # PNG sources (screenshots, drawings) keep a lossless fallback.
        fallback = "png" if image.mode == "RGBA" or source_format == "PNG" else "jpeg"
        formats = [*self.config.formats, fallback]
        entry.mkdir(parents=True, exist_ok=True)
        files = []
        for width in target_widths(image.width, self.config.widths):
            height = max(1, round(image.height * width / image.width))
            resized = (
                image
                if (width, height) == image.size
                else image.resize(
                    (width, height), Image.Resampling.LANCZOS, reducing_gap=3.0
                )
            )
            resized.info = {}  # never carry metadata into an encoded file
            for image_format in formats:
                target = entry / f"{width}.{EXTENSIONS[image_format]}"
                self._save(resized, image_format, target)
                files.append((image_format, width, height))
        manifest = {"source": source.name, "formats": formats, "files": files}
        # The manifest is written last: an entry without one is incomplete
        # (a build stopped half-way) and is encoded again.
        _write_atomically(entry / MANIFEST, json.dumps(manifest).encode("utf-8"))
        return manifest

    def _save(self, image: Image.Image, image_format: str, target: Path) -> None:
        buffer = io.BytesIO()
        quality = self.config.quality
        if image_format == "avif":
            image.save(buffer, "AVIF", quality=quality["avif"], speed=AVIF_SPEED)
        elif image_format == "webp":
            image.save(buffer, "WEBP", quality=quality["webp"], method=4)
        elif image_format == "jpeg":
            image.save(
                buffer, "JPEG", quality=quality["jpeg"], optimize=True, progressive=True
            )
        else:
            image.save(buffer, "PNG", optimize=True)
        _write_atomically(target, buffer.getvalue())
        self.encoded += 1
        logger.debug("responsive_images: encoded %s", target)

    def _place(self, cached: Path, target: Path) -> None:
        """Copy a cached file into the output, unless an earlier build did."""
        try:
            if target.stat().st_size == cached.stat().st_size:
                return  # content-addressed names: same name and size, same file
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, target)


def open_upright(data: bytes, source: Path) -> tuple[Image.Image, str | None]:
    """The source's pixels, upright, in sRGB, as RGB or RGBA, without
    metadata; and the source's format ("JPEG", "PNG"...).

    Raises UnreadableImageError or AnimatedImageError (both images are
    left as they are).
    """
    try:
        with warnings.catch_warnings():
            # A phone's 50 MP photo is over Pillow's "decompression bomb"
            # warning size; what is over its error size is still refused.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if getattr(image, "is_animated", False):
                raise AnimatedImageError("it is animated")
            image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise UnreadableImageError(f"Pillow cannot read it ({error})") from error
    source_format = image.format
    icc_profile = image.info.get("icc_profile")
    # Turn the pixels as the EXIF orientation says, before that is dropped.
    image = ImageOps.exif_transpose(image)
    has_alpha = image.has_transparency_data
    mode = "RGBA" if has_alpha else "RGB"
    if image.mode not in ("RGB", "RGBA", "L", "CMYK"):
        image = image.convert("RGBA" if has_alpha else "RGB")
    image = _to_srgb(image, icc_profile, mode, source)
    if mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")  # transparency data, but nothing transparent
    image.info = {}
    return image, source_format


def _to_srgb(
    image: Image.Image, icc_profile: bytes | None, mode: str, source: Path
) -> Image.Image:
    """The image in sRGB (what browsers assume of an untagged image)."""
    if icc_profile:
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            return ImageCms.profileToProfile(image, profile, SRGB, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError) as error:
            logger.warning(
                "responsive_images: the colour profile of %s cannot be read (%s); "
                "its colours are taken as they are",
                source,
                error,
            )
    return image if image.mode == mode else image.convert(mode)


def _write_atomically(target: Path, data: bytes) -> None:
    """Write a file so that no reader ever sees half of it."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)
