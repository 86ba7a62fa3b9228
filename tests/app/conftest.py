"""Fixtures shared by the read-side tests: the committed atlas, loaded once per session."""

from __future__ import annotations

import pytest

from gapmap.atlas import Atlas


@pytest.fixture(scope="session")
def atlas() -> Atlas:
    """The committed atlas (tests that change it build their own)."""
    return Atlas.load()
