"""A `Date:` or `Modified:` Pelican cannot read: a warning that says why.

Pelican turns these fields into dates while it reads a file; a value it
cannot read (`Date: 2026-13-45`, `Date: yesterday`) raises, and Pelican logs
only "Could not process posts/x.md". This plugin names the file, the field,
the value and the form to write, and then leaves the field out, so Pelican's
own rules decide what follows: a post without a date is skipped (Pelican
logs that too), a draft or page is built undated, and a post without
`Modified` is built without an "Updated" date. See README.md.

It works with any reader class (the network_checklist plugin swaps in its
own Markdown reader): it wraps the `Readers` object of each generator at
`readers_init`, not the reader classes.
"""

from __future__ import annotations

import logging
import os
from functools import partial

from pelican import signals

# Pelican's "leave this field out" value for metadata processors (see the
# comment above it in pelican/readers.py): the field is dropped as if the
# file had not given it.
from pelican.readers import _DISCARD

logger = logging.getLogger(__name__)

EXPECTED_FORM = "YYYY-MM-DD or YYYY-MM-DD HH:MM"
# Metadata key -> (the field as authors write it, what happens without it).
DATE_FIELDS = {
    "date": (
        "Date",
        "A post without a date is not built; a draft or page is built undated",
    ),
    "modified": ("Modified", "Leaving it out: no 'Updated' date is shown"),
}


class DateCheck:
    """Checks the dates one `Readers` reads, knowing which file they are from.

    Made for each `Readers` Pelican builds (one per generator and build), so
    `pelican --autoreload` starts every build afresh.
    """

    def __init__(self, readers):
        self.readers = readers
        self.read_unchecked = readers.read_file
        self.source_path = None
        self.readers_wrapped = False
        readers.read_file = self.read_file

    def read_file(self, base_path, path, *args, **kwargs):
        """Pelican's `Readers.read_file`, with the file known to the check."""
        if not self.readers_wrapped:
            # The readers exist only once `readers_init` has returned.
            for reader in self.readers.readers.values():
                reader.process_metadata = partial(
                    self.process_metadata, reader.process_metadata
                )
            self.readers_wrapped = True
        # As Pelican names the file in its own messages about it.
        self.source_path = os.path.abspath(os.path.join(base_path, path))
        try:
            return self.read_unchecked(base_path, path, *args, **kwargs)
        finally:
            self.source_path = None

    def process_metadata(self, process, name, value):
        """The reader's own processing; a date it cannot read is a warning."""
        if name not in DATE_FIELDS:
            return process(name, value)
        try:
            return process(name, value)
        # dateutil raises OverflowError for huge numbers, which Pelican's
        # get_date does not turn into a ValueError.
        except (ValueError, OverflowError):
            field, consequence = DATE_FIELDS[name]
            logger.warning(
                "metadata_check: %s: %s %r is not a date; write it as %s. %s",
                self.source_path,
                field,
                value,
                EXPECTED_FORM,
                consequence,
            )
            return _DISCARD


def check_dates(readers):
    """Check the dates of everything this `Readers` reads."""
    DateCheck(readers)


def register():
    """Connect the plugin to Pelican's signals."""
    signals.readers_init.connect(check_dates)
