"""Typography: curly quotes, dashes and ellipses in Markdown, cheaply.

See README.md in this folder.
"""

from .typography import TypographyExtension, makeExtension, register

__all__ = ["TypographyExtension", "makeExtension", "register"]
