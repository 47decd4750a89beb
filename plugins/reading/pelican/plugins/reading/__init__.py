"""Reading: reading time, contents lists and "read next". See README.md here."""

from .reading import ReadNextItem, Section, read_body, register

__all__ = ["ReadNextItem", "Section", "read_body", "register"]
