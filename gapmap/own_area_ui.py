"""Streamlit parts of a user's own area: the link, the builder, the profile.

The area lives in the link (``own=`` the packed codes, ``own_name=`` its name), so it can
be shared and follows the user from page to page; the areas built earlier in the session
are kept too, as the protection sets each new area against them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from gapmap import blocks, narrative, ui
from gapmap import custom_area as area_data
from gapmap import custom_area_tables as area_tables
from gapmap.atlas import Atlas
from gapmap.boardpack import own_area as own_pack
from gapmap.content import read_content
from gapmap.state import OWN_AREA_KEYS, shown
from gapmap.wording import escape_md, plural
from methods import custom_area as custom

#: Link keys (kept across pages with :data:`gapmap.state.PAGE_KEYS`).
LINK_KEY, NAME_KEY = OWN_AREA_KEYS
#: Session key: the user's earlier areas, by name (what a new area is set against).
EARLIER_KEY = "own-area-earlier"
PAGE = "app_pages/own_area.py"
#: Most codes a file may hold (bytes read from an upload).
MAX_UPLOAD_BYTES = 2_000_000
#: Height of a table row on screen, so the figures table shows every row without scrolling.
ROW_PX = 35


def current(data: Atlas) -> tuple[area_data.Members | None, str]:
    """The user's area in the link and its name; a damaged link says why, kindly."""
    text = st.query_params.get(LINK_KEY)
    name = area_data.clean_name(st.query_params.get(NAME_KEY))
    if not text:
        return None, name
    try:
        members = area_data.from_link(data, str(text))
    except ValueError as problem:
        st.info(f"The link's own area could not be read: {problem}.", icon="ℹ️")
        return None, name
    return (None if members.empty else members), name


def keep(members: area_data.Members | None, name: str) -> None:
    """Put the area in the link (or take it out), remembering the one it replaces."""
    before = st.query_params.get(LINK_KEY)
    if before:
        earlier = st.session_state.setdefault(EARLIER_KEY, {})
        old_name = area_data.clean_name(st.query_params.get(NAME_KEY))
        earlier[str(before)] = old_name
    if members is None or members.empty:
        for key in (LINK_KEY, NAME_KEY):
            if key in st.query_params:
                del st.query_params[key]
        return
    st.query_params[LINK_KEY] = members.link()
    st.query_params[NAME_KEY] = area_data.clean_name(name)


def earlier(data: Atlas, now: area_data.Members) -> dict[str, area_data.Members]:
    """The user's earlier areas this session (other than this one), for the protection."""
    out = {}
    for text, name in st.session_state.get(EARLIER_KEY, {}).items():
        if text == now.link():
            continue
        try:
            out[f"{name} ({len(out) + 1})"] = area_data.from_link(data, text)
        except ValueError:
            continue
    return out


def change(
    data: Atlas, *, add: tuple[str, ...] = (), remove: tuple[str, ...] = (), name: str = ""
) -> None:
    """Add neighbourhoods or practices to the user's area, or take them out."""
    members, old_name = current(data)
    lsoas = set(members.lsoas if members else ())
    practices = set(members.practices if members else ())
    codes = custom.read_codes(",".join(add))
    lsoas |= set(codes.lsoas)
    practices |= set(codes.practices)
    lsoas -= set(remove)
    practices -= set(remove)
    updated = area_data.Members(tuple(sorted(lsoas)), tuple(sorted(practices)))
    keep(updated, name or old_name)


def builder(data: Atlas, members: area_data.Members | None, name: str) -> None:
    """Name the area and give its parts: a pasted list or a file of codes."""
    with st.form("own-area-builder"):
        new_name = st.text_input("Name of your area", value=name, max_chars=area_data.MAX_NAME)
        text = st.text_area(
            "Neighbourhood (LSOA 2021), GP practice or ward codes, or practice postcodes",
            placeholder="E01009891, E01009892, M88004 … one per line, or separated by commas",
            help="Paste a column from a spreadsheet. LSOA codes start E01, ward codes E05; a GP "
            "practice code is a letter and five digits (M88004).",
        )
        upload = st.file_uploader("Or a file of codes (CSV or text)", type=["csv", "txt"])
        replace = st.checkbox(
            "Start a new area with these codes", value=members is None, help="Otherwise they "
            "are added to the area you have."
        )  # fmt: skip
        if not st.form_submit_button("Use these codes", type="primary"):
            return
    pasted = text + "\n" + _read_upload(upload)
    codes = custom.read_codes(pasted)
    found = area_data.members(data, codes)
    if not replace and members is not None:
        found = area_data.Members(
            tuple(sorted({*members.lsoas, *found.lsoas})),
            tuple(sorted({*members.practices, *found.practices})),
            found.rejected,
        )
    st.session_state["own-area-rejected"] = found.rejected
    keep(found if not found.empty else members, new_name)
    st.rerun()


def _read_upload(upload) -> str:
    if upload is None:
        return ""
    raw = upload.getvalue()[:MAX_UPLOAD_BYTES]
    return raw.decode("utf-8-sig", errors="replace")


def rejected_codes() -> None:
    """The codes of the last list that could not be used, each with its reason."""
    rejected = st.session_state.get("own-area-rejected") or ()
    if not rejected:
        return
    st.warning(
        f"{plural(len(rejected), 'code')} could not be used; the rest were kept.",
        icon=":material/warning:",
    )
    blocks.table(
        pd.DataFrame(rejected, columns=["Code", "Why it could not be used"]),
        name="own-area-codes-not-used",
    )


@st.cache_data(show_spinner="Adding up your area…", max_entries=32)
def _figures(link: str, earlier_links: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """The area's figures, once for each area and set of earlier areas.

    Every rerun of the page (a widget, a click) would otherwise add them up again (about
    two seconds for a council's worth of parts).
    """
    data = ui.atlas()
    earlier_areas = {name: area_data.from_link(data, text) for name, text in earlier_links}
    return area_data.figures(data, area_data.from_link(data, link), earlier_areas)


def profile(data: Atlas, members: area_data.Members, name: str) -> None:
    """The area's figures beside England, in words, as a table and as a CSV."""
    before = earlier(data, members)  # read now: the pack is built outside this run
    figures = _figures(members.link(), tuple((k, v.link()) for k, v in before.items()))
    st.header(escape_md(name))
    st.markdown(escape_md(area_data.summary(members)))
    st.subheader("What the figures say")
    rows = area_tables.profile(data, figures)
    for paragraph in narrative.profile_paragraphs(rows, data.indicators, name):
        st.markdown(paragraph)
    st.subheader("Every figure")
    shown = area_tables.shown(data, figures)
    blocks.table(
        shown.drop(columns="Note"),
        name=f"own-area-{members.link()[:24]}",
        csv=area_tables.csv(data, figures, name, members.link()),
        height=ROW_PX * (len(shown) + 1) + 3,
    )
    lines = area_tables.notes(shown)
    if lines:
        st.markdown("\n".join(f"- {escape_md(line)}" for line in lines))
    st.download_button(
        "Board pack for this area (PDF)",
        data=lambda: own_pack.build(data, members, name, earlier=before),
        file_name=own_pack.filename(name),
        mime="application/pdf",
        key="own-area-board-pack",
        icon=":material/picture_as_pdf:",
        help="An A4 landscape PDF for a board paper: what the figures say, every figure with "
        "its interval, the parts, methods, the rule on small numbers and the sources.",
        on_click="ignore",
    )
    with st.expander(f"The parts of {name}"):
        parts = area_data.parts_table(data, members)
        blocks.table(parts, name="own-area-parts")
    with st.expander("How your area's figures are made"):
        st.markdown(read_content("own_area"))


def sidebar_link(data: Atlas) -> None:
    """In the sidebar, the user's own area (when the link has one), a click away."""
    text = st.query_params.get(LINK_KEY)
    if not text:
        return
    name = area_data.clean_name(st.query_params.get(NAME_KEY))
    st.sidebar.page_link(
        PAGE,
        label=f"Your own area: {shown(name, 40)}",
        icon=":material/edit_location_alt:",
        query_params={LINK_KEY: str(text), NAME_KEY: name},
    )


def add_or_remove_button(data: Atlas, code: str, name: str) -> None:
    """On a part's profile: put it in the user's own area, or take it out, and open it."""
    members, area_name = current(data)
    inside = members is not None and code in (*members.lsoas, *members.practices)
    if inside:
        if st.button(f"Take {name} out of {area_name}", icon=":material/remove:"):
            change(data, remove=(code,))
            st.rerun()
    elif st.button(f"Add {name} to your own area", icon=":material/add_location_alt:"):
        change(data, add=(code,))
        st.rerun()
    if members is not None:
        st.page_link(
            PAGE,
            label=f"Open {area_name} ({area_data.summary(members).rstrip('.')})",
            icon=":material/edit_location_alt:",
            query_params={LINK_KEY: members.link(), NAME_KEY: area_name},
        )
