// A folium map drawn straight into the Streamlit page (components v2), with no frame.
//
// `data` is what gapmap.maps.page_parts.mount_parts makes of a folium map: the map's own
// styles, its container, its script, the Leaflet files it needs (served by the app) and
// the variable its script names the map by. Streamlit calls this function when the
// component mounts and again only when `data` changes, so a rerun that draws the same
// map keeps the reader's zoom and pan. A click on an area sends the area's properties
// and tooltip text back to Python as the transient value `clicked`.

const loading = new Map();

function script(src) {
  if (!loading.has(src)) {
    loading.set(src, new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = src;
      tag.onload = resolve;
      tag.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.appendChild(tag);
    }));
  }
  return loading.get(src);
}

function sheet(href) {
  if (!document.querySelector(`link[rel="stylesheet"][href="${href}"]`)) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }
}

function tooltipText(layer) {
  const tip = layer.getTooltip && layer.getTooltip();
  let content = tip ? tip.getContent() : null;
  try {
    if (typeof content === "function") content = content(layer);
  } catch (error) {
    return null;
  }
  if (content === null || content === undefined) return null;
  const holder = document.createElement("div");
  if (content instanceof HTMLElement) holder.appendChild(content.cloneNode(true));
  else holder.innerHTML = String(content);
  holder.querySelectorAll("br").forEach((br) => br.replaceWith("\n"));
  return holder.textContent;
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  if (!data) return;
  const old = parentElement.querySelector(".mtg-map");
  if (old && old.dataset.token === data.token) return;
  if (old) {
    if (old.leafletMap) old.leafletMap.remove();
    old.remove();
  }
  const host = document.createElement("div");
  host.className = "mtg-map";
  host.dataset.token = data.token;
  host.style.height = `${data.height}px`;
  host.style.position = "relative";
  host.innerHTML = data.styles + data.html;
  parentElement.appendChild(host);
  data.css.forEach(sheet);
  data.js.reduce((ready, src) => ready.then(() => script(src)), Promise.resolve())
    .then(() => {
      if (!host.isConnected) return;
      const map = new Function(`${data.script}\nreturn ${data.name};`)();
      host.leafletMap = map;
      if (data.clickable) map.eachLayer((layer) => {
        if (layer.eachLayer) return; // a group: its areas answer for themselves
        if (!layer.feature && !(layer.getTooltip && layer.getTooltip())) return;
        layer.on("click", () => {
          setTriggerValue("clicked", {
            last_active_drawing: layer.feature ? { properties: layer.feature.properties } : null,
            last_object_clicked_tooltip: tooltipText(layer),
          });
        });
      });
      host.dataset.drawn = "true";
    })
    .catch((error) => {
      host.textContent = `The map could not be drawn: ${error.message}. The same figures are in the table below.`;
    });
}
