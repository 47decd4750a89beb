"""Fixtures for the share_cards tests."""

import pytest
from pelican.log import LimitFilter


@pytest.fixture(autouse=True)
def fresh_log_limits():
    """Each test builds its own site and must see its own warnings (Pelican
    drops a warning it has logged before in this process)."""
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
