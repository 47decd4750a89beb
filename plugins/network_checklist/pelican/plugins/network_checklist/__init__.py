"""Network checklist: task lists readers fill in privately, in their browser.

See README.md in this folder.
"""

from .network_checklist import register

__all__ = ["register"]
