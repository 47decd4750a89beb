"""The RESPONSIVE_IMAGES_* settings: defaults in one place, checked once a build.

A bad value is warned about (naming the setting, the value and the default
used) and replaced by its default: the build goes on.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass

from PIL import features

logger = logging.getLogger(__name__)

# The modern formats the plugin can write, and the quality each is encoded
# at; "jpeg" is the fallback of opaque photos (PNG, lossless, needs none).
MODERN_FORMATS = ("avif", "webp")
QUALITY_KEYS = ("avif", "webp", "jpeg")

DEFAULTS = {
    # The widths (in pixels) each image is resized to, never above its own.
    # The content column of a single-column theme is at most about 640 CSS
    # pixels: 1280 covers it on a 2x screen, 960 a phone's column (about
    # 380 CSS pixels) at its usual 2.6x, 720 and 480 smaller screens.
    "RESPONSIVE_IMAGES_WIDTHS": (480, 720, 960, 1280),
    # How wide the image is shown, for the browser to pick a width before
    # layout: a centred column of 40rem with 1rem margins on either side.
    "RESPONSIVE_IMAGES_SIZES": "(min-width: 42rem) 40rem, calc(100vw - 2rem)",
    # The most image pixels per CSS pixel a screen is sent: phones of 2.5x
    # to 4x get the width a 2x screen gets (no eye tells them apart at
    # reading distance, and it is about half the bytes). None: no cap.
    "RESPONSIVE_IMAGES_MAX_DENSITY": 2,
    # Modern formats offered first, in order of preference; the fallback
    # (JPEG, or PNG for images with transparency and PNG sources) is always
    # written. Every current browser shows AVIF.
    "RESPONSIVE_IMAGES_FORMATS": ("avif",),
    # Encoder quality (1-100) per format. AVIF 50 is sharp's and Eleventy
    # Image's default: at display size, a phone photo looks the same as at
    # 75 for about half the bytes.
    "RESPONSIVE_IMAGES_QUALITY": {"avif": 50, "webp": 75, "jpeg": 75},
    # Where the resized images go in the output (and in the URL).
    "RESPONSIVE_IMAGES_OUTPUT_DIR": "images",
    # Where encoded images are kept between builds;
    # None: <CACHE_PATH>/responsive-images.
    "RESPONSIVE_IMAGES_CACHE_PATH": None,
}

SAFE_FOLDER = re.compile(r"[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*")


# Screen densities, as multiples of RESPONSIVE_IMAGES_MAX_DENSITY, from
# which the sizes attribute makes the column look narrower to the browser
# (by max / density), so that it picks the width the capped density needs.
# A 2.625x phone counts as 2.1x, a 3x one as 2x, a 3.5x one as 2.3x.
DENSITY_STEPS = (1.5, 1.25)


@dataclass(frozen=True)
class Config:
    """The checked settings of one build."""

    widths: tuple[int, ...]
    sizes: str  # with the density cap's entries, as written in the markup
    formats: tuple[str, ...]
    max_density: float | None
    quality: dict[str, int]
    output_dir: str
    cache_path: str

    def recipe(self) -> str:
        """Everything in the settings that changes an encoded file's bytes."""
        quality = ",".join(f"{key}={self.quality[key]}" for key in QUALITY_KEYS)
        return f"widths={self.widths};formats={self.formats};quality={quality}"


def _is_whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _widths_problem(value) -> str | None:
    if (
        not isinstance(value, (list, tuple))
        or not value
        or not all(_is_whole(width) and 16 <= width <= 8192 for width in value)
    ):
        return "must be a list of widths in pixels (whole numbers from 16 to 8192)"
    return None


def _sizes_problem(value) -> str | None:
    if not isinstance(value, str) or not value.strip() or set(value) & set("<>\"'"):
        return "must be the text of a sizes attribute, such as '100vw'"
    return None


def _max_density_problem(value) -> str | None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 1
    ):
        return "must be a number of 1 or more (image pixels per CSS pixel) or None"
    return None


def _formats_problem(value) -> str | None:
    if not isinstance(value, (list, tuple)) or not all(
        each in MODERN_FORMATS for each in value
    ):
        return f"must be a list of formats from {list(MODERN_FORMATS)} (may be empty)"
    return None


def _quality_problem(value) -> str | None:
    if not isinstance(value, dict) or not all(
        key in QUALITY_KEYS and _is_whole(quality) and 1 <= quality <= 100
        for key, quality in value.items()
    ):
        return f"must be a dict of {list(QUALITY_KEYS)} to a quality from 1 to 100"
    return None


def _output_dir_problem(value) -> str | None:
    if (
        not isinstance(value, str)
        or not SAFE_FOLDER.fullmatch(value)
        or ".." in value.split("/")
    ):
        return (
            "must be a folder inside the output, such as 'images' "
            "(letters, digits, . _ - /)"
        )
    return None


def _cache_path_problem(value) -> str | None:
    if value is not None and (
        not isinstance(value, (str, os.PathLike)) or not str(value).strip()
    ):
        return "must be a folder's path or None"
    return None


PROBLEMS = {
    "RESPONSIVE_IMAGES_WIDTHS": _widths_problem,
    "RESPONSIVE_IMAGES_SIZES": _sizes_problem,
    "RESPONSIVE_IMAGES_MAX_DENSITY": _max_density_problem,
    "RESPONSIVE_IMAGES_FORMATS": _formats_problem,
    "RESPONSIVE_IMAGES_QUALITY": _quality_problem,
    "RESPONSIVE_IMAGES_OUTPUT_DIR": _output_dir_problem,
    "RESPONSIVE_IMAGES_CACHE_PATH": _cache_path_problem,
}


def check_settings(settings: dict) -> None:
    """Fill in the defaults and replace each bad value by its default, warning."""
    for name, default in DEFAULTS.items():
        value = settings.setdefault(name, default)
        problem = PROBLEMS[name](value)
        if problem:
            logger.warning(
                "responsive_images: %s %s, not %r; using the default %r",
                name,
                problem,
                value,
                default,
            )
            settings[name] = default
    formats = []
    for each in settings["RESPONSIVE_IMAGES_FORMATS"]:
        if each not in formats and _can_write(each):
            formats.append(each)
    settings["RESPONSIVE_IMAGES_FORMATS"] = tuple(formats)
    settings["RESPONSIVE_IMAGES_WIDTHS"] = tuple(
        sorted(set(settings["RESPONSIVE_IMAGES_WIDTHS"]))
    )
    settings["RESPONSIVE_IMAGES_QUALITY"] = {
        **DEFAULTS["RESPONSIVE_IMAGES_QUALITY"],
        **settings["RESPONSIVE_IMAGES_QUALITY"],
    }


def _can_write(image_format: str) -> bool:
    """Whether this Pillow can encode `image_format`; a warning if not."""
    if features.check(image_format):
        return True
    logger.warning(
        "responsive_images: this Pillow cannot write %s (built without it); "
        "images get their fallback format only",
        image_format.upper(),
    )
    return False


def read_config(settings: dict) -> Config:
    """The checked settings of a build (checking them first if need be)."""
    if any(name not in settings for name in DEFAULTS):
        check_settings(settings)
    cache_path = settings["RESPONSIVE_IMAGES_CACHE_PATH"]
    if cache_path is None:
        cache_path = os.path.join(
            settings.get("CACHE_PATH", "cache"), "responsive-images"
        )
    return Config(
        widths=tuple(settings["RESPONSIVE_IMAGES_WIDTHS"]),
        sizes=capped_sizes(
            settings["RESPONSIVE_IMAGES_SIZES"].strip(),
            settings["RESPONSIVE_IMAGES_MAX_DENSITY"],
        ),
        max_density=settings["RESPONSIVE_IMAGES_MAX_DENSITY"],
        formats=tuple(settings["RESPONSIVE_IMAGES_FORMATS"]),
        quality=dict(settings["RESPONSIVE_IMAGES_QUALITY"]),
        output_dir=settings["RESPONSIVE_IMAGES_OUTPUT_DIR"],
        cache_path=str(cache_path),
    )


def _split_top_level(text: str, separator: str | None) -> list[str]:
    """`text` split at `separator` (None: whitespace) outside parentheses."""
    parts, depth, current = [], 0, []
    for character in text:
        depth += (character == "(") - (character == ")")
        is_separator = (
            character.isspace() if separator is None else character == separator
        )
        if is_separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(character)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def capped_sizes(sizes: str, max_density: float | None) -> str:
    """`sizes` with entries first that, on screens denser than `max_density`,
    give the slot as narrower by max / density: the browser then picks the
    width `max_density` needs (the technique of Andrea Verlicchi's "How to
    cap image fidelity to 2x"). A browser that cannot read an entry skips
    it, and gets the width the plain `sizes` gives."""
    if max_density is None:
        return sizes
    entries = []
    for entry in _split_top_level(sizes, ","):
        *condition, length = _split_top_level(entry, None)
        entries.append((" ".join(condition), length))
    capped = []
    for step in DENSITY_STEPS:
        density = max_density * step
        factor = f"{1 / step:.4g}"
        for condition, length in entries:
            # calc((100vw - 2rem) * 0.8), not calc(calc(100vw - 2rem) * 0.8)
            scaled = length[len("calc") :] if length.startswith("calc(") else length
            query = f"(min-resolution: {density:g}dppx)"
            if condition:
                single = condition.startswith("(") and (
                    _split_top_level(condition, None) == [condition]
                )
                query += f" and {condition if single else f'({condition})'}"
            capped.append(f"{query} calc({scaled} * {factor})")
    return ", ".join([*capped, sizes])
