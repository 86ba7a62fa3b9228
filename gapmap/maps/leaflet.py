"""Leaflet pieces every map shares: the legend and frame-label controls and the base map.

Maps load only the Leaflet copy the app serves itself (see :mod:`gapmap.assets`): no
basemap tiles, no jQuery or Bootstrap, no colormap helpers that pull d3 from a CDN.
"""

from __future__ import annotations

import folium
from branca.element import MacroElement
from folium.template import Template

from gapmap import palette
from gapmap.assets import leaflet_urls
from gapmap.wording import escape_html

ENGLAND_CENTRE = (52.8, -1.6)
#: Room kept clear on a national map's left for the legend: England's north-west coast lies
#: about a quarter of the way across, so with this margin the legend covers sea, not areas.
LEGEND_MARGIN = (110, 0)

#: Legend and credit sit on opaque white with underlined links, so their text contrast
#: (WCAG AA, 4.5:1) never depends on the colours of the areas drawn underneath.
_LEGEND_CSS = """
.leaflet-container { background: #FFFFFF; }
.leaflet-container .leaflet-control-attribution { font-size: 11px; background: #FFFFFF;
  color: #333333; white-space: normal; max-width: calc(100% - 16px); line-height: 1.3; }
.leaflet-container .leaflet-control-attribution a { color: #005A8C;
  text-decoration: underline; }
.mtg-legend { background: #FFFFFF; padding: 6px 9px; color: #1A1A1A;
  font: 12px/1.4 system-ui, -apple-system, "Segoe UI", Arial, sans-serif;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3); max-width: 185px; }
.mtg-legend .mtg-title { font-weight: 600; margin-bottom: 2px; }
.mtg-legend .mtg-key { color: #4D4D4D; margin-bottom: 3px; }
.mtg-legend .mtg-row { padding-left: 20px; text-indent: -20px; }
.mtg-legend .mtg-sw { display: inline-block; width: 14px; height: 11px; margin-right: 6px;
  vertical-align: -1px; border: 1px solid #8C8C8C; }
.mtg-legend .mtg-nd { border-style: dashed; }
.mtg-legend .mtg-dot { border-radius: 50%; width: 9px; height: 9px; margin: 0 8px 0 2px;
  border: 2px solid #1A1A1A; }
.mtg-legend .mtg-eng { margin-top: 3px; color: #4D4D4D; }
.mtg-tip { max-width: 340px; }
.mtg-tip td { white-space: pre; padding: 0;
  font: 12px/1.4 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; }
.mtg-tip td::first-line { font-weight: 600; }
"""


class Legend(MacroElement):
    """A legend as a Leaflet control, so it sits inside the map wherever the map is shown.

    ``body`` is ready-escaped HTML; it reaches the page as a JSON string set as innerHTML.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
            {{ this.get_name() }}.onAdd = function () {
                var div = L.DomUtil.create("div", "mtg-legend");
                div.setAttribute("role", "region");
                div.setAttribute("aria-label", "Map legend");
                div.innerHTML = {{ this.body|tojson }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, body: str, position: str = "topright") -> None:
        super().__init__()
        self._name = "Legend"
        self.body = body
        self.position = position
        self.css = _LEGEND_CSS


class MapLabel(MacroElement):
    """Names the map for screen readers: a labelled region around the map's container.

    Leaflet's container is a bare ``div`` of tiles and shapes; the label says what the map
    shows and where the same figures are as text.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function (box) {
                box.setAttribute("role", "region");
                box.setAttribute("aria-label", {{ this.label|tojson }});
            })({{ this._parent.get_name() }}.getContainer());
        {% endmacro %}
        """
    )

    def __init__(self, label: str) -> None:
        super().__init__()
        self._name = "MapLabel"
        self.label = label


def legend_html(
    title: str,
    entries: list[tuple[str, str]],
    key: str = "",
    footer: str = "",
    markers: list[tuple[str, str]] | None = None,
) -> str:
    """Legend markup from plain-text labels (escaped here) and colours."""
    parts = [f'<div class="mtg-title">{escape_html(title)}</div>']
    if key:
        parts.append(f'<div class="mtg-key">{escape_html(key)}</div>')
    for label, colour in entries:
        dashed = " mtg-nd" if label == palette.NO_DATA_LABEL else ""
        parts.append(_legend_row(label, colour, dashed))
    parts += [_legend_row(label, colour, " mtg-dot") for label, colour in markers or []]
    if footer:
        parts.append(f'<div class="mtg-eng">{escape_html(footer)}</div>')
    return "".join(parts)


def _legend_row(label: str, colour: str, swatch_class: str) -> str:
    """One legend line: a colour swatch (styled by ``swatch_class``) and its label."""
    return (
        f'<div class="mtg-row"><span class="mtg-sw{swatch_class}" '
        f'style="background:{escape_html(colour)}"></span>{escape_html(label)}</div>'
    )


def base_map() -> folium.Map:
    """An empty, tile-less Leaflet map that loads only the app's own Leaflet files.

    folium's default JS/CSS (CDN Leaflet, jQuery, Bootstrap, awesome-markers) are replaced
    on the instance, never on the class, so other maps in the process are unaffected.
    """
    m = folium.Map(
        location=ENGLAND_CENTRE,
        zoom_start=6,
        tiles=None,
        prefer_canvas=True,
        zoom_snap=0.25,
        zoom_delta=0.5,
        zoom_control="bottomright",  # the top left holds the legend
    )
    js, css = leaflet_urls()
    m.default_js = [("leaflet", url) for url in js]
    m.default_css = [("leaflet_css", url) for url in css]
    return m
