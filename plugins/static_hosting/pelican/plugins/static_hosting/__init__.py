"""static_hosting: fingerprinted theme assets and a `_headers` file for CDNs.

See README.md in this folder.
"""

from .static_hosting import headers_file, register

__all__ = ["headers_file", "register"]
