"""Actions run in-process against a real backend server on a freshly seeded database."""

import os
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.utils.stack import SERVICE_TOKEN, start_backend


@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with ExitStack() as stack:
        url = stack.enter_context(start_backend(tmp_path_factory.mktemp("backend"), stack=stack))
        os.environ["WATERDESK_API_URL"] = url
        os.environ["WATERDESK_SERVICE_TOKEN"] = SERVICE_TOKEN
        from actions.api.client import get_api

        get_api.cache_clear()
        yield url
        from tests.utils.trackers import close_api

        close_api()
        get_api.cache_clear()
