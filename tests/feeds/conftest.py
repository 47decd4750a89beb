"""Fixtures for the feeds plugin's tests."""

import pytest
from pelican.log import LimitFilter


@pytest.fixture(autouse=True)
def fresh_log_limits():
    """Forget the warnings Pelican's log filter has seen in earlier builds.

    Pelican drops a repeated warning and, after five warnings of one
    `limit_msg` group, every further one, for the whole process: without
    this a caplog test would pass or fail with the order the tests run in.
    """
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
    yield
