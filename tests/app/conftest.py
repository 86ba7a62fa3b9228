"""Fixtures shared by the read-side tests: the committed atlas, loaded once per session."""

from __future__ import annotations

import pytest
import streamlit as st

from gapmap.atlas import Atlas


@pytest.fixture(scope="session")
def atlas() -> Atlas:
    """The committed atlas (tests that change it build their own)."""
    return Atlas.load()


@pytest.fixture
def fresh_caches():
    """Streamlit's caches empty before and after: an app test never sees another's atlas."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
