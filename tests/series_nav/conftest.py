"""Fixtures for the series_nav tests."""

import pytest
from pelican.log import LimitFilter


@pytest.fixture(autouse=True)
def fresh_pelican_log_filter():
    """Pelican drops a warning it has logged before in this process; each
    test builds its own site and must see its own warnings."""
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
