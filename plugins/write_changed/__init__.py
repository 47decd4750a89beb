"""write_changed: Pelican's writer, writing a file only when its bytes change."""

from .write_changed import WriteChangedWriter, register, write_if_changed

__all__ = ["WriteChangedWriter", "register", "write_if_changed"]
