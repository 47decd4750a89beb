"""Every test starts with Pelican's log filter forgetting what it has seen:
Pelican drops a warning it has logged before in the same process."""

import pytest
from pelican.log import LimitFilter


@pytest.fixture(autouse=True)
def fresh_pelican_log_filter():
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
