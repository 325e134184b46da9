"""Start the `make dev` stack as a subprocess on free ports and talk HTTP to it."""

from collections.abc import Iterator

import pytest

from tests.harness import LocalStack, start_stack, stop_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Iterator[LocalStack]:
    running = start_stack(tmp_path_factory.mktemp("local-state"))
    yield running
    stop_stack(running)
