"""Fixtures of the local stack's own tests."""

import pytest

from tests.support.source_tree import SourceTree


@pytest.fixture
def source_tree(tmp_path, monkeypatch):
    """A source layout of the test's own to save files in (tests/support/source_tree.py)."""
    tree = SourceTree(tmp_path, monkeypatch)
    yield tree
    tree.forget()
