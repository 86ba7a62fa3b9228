"""The map first: on a browser's first visit, what lies below the map comes a moment later.

A page of maps, a grid and five charts is drawn by one browser thread, and the charts'
rendering held the map back by about two seconds on a first visit, and the table grid
beside the map (whose code the browser fetches and starts on first use) by about 0.2 s
more (measured by ``benchmarks/map_speed.py``); on the pages whose map opens them
(Secondary care, Physical health, My area) what follows held theirs back by 0.2-1.3 s. So
a browser session's first run draws the map, leaves the grid's place saying what is
coming, and stops after the map; a second later the whole page runs again and draws the
rest (the map, kept by :mod:`gapmap.map_mount`, is not built or redrawn again). Every
later run draws the whole page at once.

Only browser sessions wait: a run without a browser (Streamlit's ``AppTest``, which sends
no HTTP headers) draws everything at once.
"""

from __future__ import annotations

import streamlit as st

#: Session key: set once the session has drawn a whole page.
PAINTED = "first-paint-done"
#: What the page says while the rest waits (tests wait for it to go).
WAITING = "The charts below the map are on their way."
#: What the table beside the map says while it waits (its grid is drawn with the rest).
TABLE_WAITING = "The table is on its way."
#: Seconds from the first run's end to the run that draws the rest.
DELAY = 1.0


def held() -> bool:
    """Whether this run is a browser session's first, which draws the map and stops."""
    return not st.session_state.get(PAINTED) and bool(st.context.headers)


def grid_waits() -> bool:
    """On a held run, say where a table grid will be and return True: draw it only if False.

    The grid's code, fetched and started on first use, would hold the map back.
    """
    if held():
        st.caption(TABLE_WAITING)
    return held()


def hold_below_map() -> None:
    """On a browser session's first run, stop the page here and draw the rest shortly."""
    if not held():
        st.session_state[PAINTED] = True
        return
    st.caption(WAITING)
    st.fragment(run_every=DELAY)(_release)()
    st.stop()


def _release() -> None:
    """Runs inline once (arming the timer), then on the timer: rerun the whole page."""
    if st.session_state.get(f"{PAINTED}-armed"):
        st.session_state[PAINTED] = True
        st.rerun(scope="app")
    st.session_state[f"{PAINTED}-armed"] = True
