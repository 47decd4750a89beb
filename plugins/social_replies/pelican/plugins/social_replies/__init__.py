"""social_replies: the conversation a post starts elsewhere; see README.md."""

from .social_replies import register

__all__ = ["register"]
