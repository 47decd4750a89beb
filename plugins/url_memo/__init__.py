"""url_memo: each post's and page's URL worked out once a build."""

from .url_memo import MEMO, register

__all__ = ["MEMO", "register"]
