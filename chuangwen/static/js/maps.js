// Shared map helpers: the map itself (tiles only when MAP_TILE_URL is set), the base layers
// of the city's own data (district / street / community boundaries, grid outlines, sites) with
// a layer switcher, and the filter form of a map page. Every user string reaching Leaflet's
// HTML (tooltips, popups) goes through cwEscape.
(function () {
  const LAYERS = [
    { key: "district", label: "区县边界", style: { color: "#263238", weight: 3, fill: false, opacity: 0.8 }, on: true },
    { key: "street", label: "街道边界", style: { color: "#3949ab", weight: 2, dashArray: "6 4", fill: false, opacity: 0.8 }, on: true },
    { key: "community", label: "社区边界", style: { color: "#6d4c41", weight: 1, fill: false, opacity: 0.7 }, on: false },
    { key: "grid", label: "网格", style: { color: "#9e9e9e", weight: 0.6, fill: false, opacity: 0.8 }, on: false },
  ];
  const SITE_COLOURS = ["#00897b", "#8e24aa", "#f4511e", "#3949ab", "#c0ca33", "#6d4c41", "#d81b60", "#039be5"];

  // one request at a time: a map page asks for several layers at once, and an old office
  // server (or the embedded SQLite) answers them better in turn than all together
  let queue = Promise.resolve();
  const get = (url) => {
    const next = queue.then(() => fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }))
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)));
    queue = next.catch(() => null);
    return next;
  };

  function create(el, options) {
    const map = L.map(el, Object.assign({ preferCanvas: true, maxZoom: 19, attributionControl: !!el.dataset.tiles }, options || {}));
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    } else {
      el.classList.add("cw-map-notiles");
    }
    const lon = parseFloat(el.dataset.centerLon), lat = parseFloat(el.dataset.centerLat);
    map.setView([isNaN(lat) ? 30 : lat, isNaN(lon) ? 114 : lon], parseInt(el.dataset.zoom || "12", 10));
    el.cwMap = map; // for the page's own scripts and browser tests
    el.dataset.centred = isNaN(lat) || isNaN(lon) ? "" : "1";
    const pane = map.createPane("cw-base");
    pane.style.zIndex = 350; // under the page's own data (overlayPane is 400)
    return map;
  }

  // base layers: data-layers="/org/map/layers/__name__/" (+ optional data-sites for the sites
  // layer, data-base-on="district,street" to choose which are shown at first)
  function baseLayers(map, el, extra) {
    const overlays = {};
    const control = L.control.layers(null, null, { collapsed: window.innerWidth < 768, position: "topright" }).addTo(map);
    const url = el.dataset.layers;
    const chosen = el.dataset.baseOn ? el.dataset.baseOn.split(",") : null;
    const loaded = {};
    if (url) {
      LAYERS.forEach((def) => {
        const group = L.featureGroup();
        overlays[def.key] = group;
        control.addOverlay(group, def.label);
        const load = () => {
          if (loaded[def.key]) return;
          loaded[def.key] = true;
          get(url.replace("__name__", def.key)).then((data) => {
            const drawn = L.geoJSON(data, { pane: "cw-base", interactive: false, style: () => def.style }).addTo(group);
            // a city without a configured centre: show its own outline
            if (!el.dataset.centred && data.features.length) {
              el.dataset.centred = "1";
              map.fitBounds(drawn.getBounds());
            }
            el.dataset["base" + def.key[0].toUpperCase() + def.key.slice(1)] = String(data.features.length);
          }).catch(() => { loaded[def.key] = false; });
        };
        group.on("add", load);
        if (chosen ? chosen.includes(def.key) : def.on) group.addTo(map);
      });
    }
    if (el.dataset.sites) {
      const group = L.featureGroup();
      overlays.sites = group;
      control.addOverlay(group, "点位");
      let done = false;
      group.on("add", () => {
        if (done) return;
        done = true;
        get(el.dataset.sites).then((data) => {
          const types = {};
          const colour = (t) => { if (!(t in types)) types[t] = SITE_COLOURS[Object.keys(types).length % SITE_COLOURS.length]; return types[t]; };
          L.geoJSON(data, {
            pane: "cw-base",
            style: (f) => ({ color: colour(f.properties.type), weight: 3, opacity: 0.8, fillOpacity: 0.2 }),
            pointToLayer: (f, ll) => L.circleMarker(ll, { pane: "cw-base", radius: 4, weight: 1, color: colour(f.properties.type), fillOpacity: 0.8 }),
            onEachFeature: (f, l) => l.bindTooltip(`${cwEscape(f.properties.name)}<br><small>${cwEscape(f.properties.type)}</small>`),
          }).addTo(group);
          el.dataset.baseSites = String(data.features.length);
        });
      });
      if (chosen && chosen.includes("sites")) group.addTo(map);
    }
    Object.entries(extra || {}).forEach(([label, layer]) => control.addOverlay(layer, label));
    return { control, overlays };
  }

  // a map page's filter form (the list's FilterSet): reload the map's data without leaving
  function filter(form, reload) {
    if (!form) return;
    const query = () => new URLSearchParams(new FormData(form)).toString();
    const go = (e) => {
      if (e) e.preventDefault();
      const q = query();
      history.replaceState(null, "", q ? `?${q}` : location.pathname);
      const list = form.querySelector("[data-list-url]");
      if (list) list.href = `${list.dataset.listUrl}${q ? `?${q}` : ""}`;
      reload(q);
    };
    form.addEventListener("submit", go);
    form.addEventListener("change", go);
  }

  window.cwMap = { create, baseLayers, filter, get };
})();
