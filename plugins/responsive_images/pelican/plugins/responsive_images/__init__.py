"""Responsive images: photos in posts resized at build time, metadata removed.

See README.md in this package's folder.
"""

from .responsive_images import register

__all__ = ["register"]
