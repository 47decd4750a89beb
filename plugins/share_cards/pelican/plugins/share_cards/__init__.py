"""share_cards: Open Graph metadata, share cards and share links; see README.md."""

from .share_cards import register

__all__ = ["register"]
