"""One botocore data loader for every botocore session of a test process.

moto gives each `mock_aws()` a fresh default boto3 session (so no client outlives its mock), and
botocore gives each new session a fresh data loader, which decodes endpoints.json and every service
model it needs again: about 80 ms of JSON decoding for the first clients of each test, measured
(tests/conftest.py's `aws` fixture: 178 ms a test before, 39 ms after). The loader only reads the
botocore package's data files, which do not change while the process runs, so one loader per search
path serves every session; sessions, clients and credentials stay per test, as moto wants them.
"""

from typing import Any

import botocore.session

_create_loader = botocore.session.create_loader
_loaders: dict[str | None, Any] = {}


def _shared_loader(search_path_string: str | None = None) -> Any:
    if search_path_string not in _loaders:
        _loaders[search_path_string] = _create_loader(search_path_string)
    return _loaders[search_path_string]


def share_data_loader() -> None:
    """From now on, new botocore sessions reuse the loader of their data path (idempotent)."""
    botocore.session.create_loader = _shared_loader
