// Site map: sites by type (colour per type, roads as lines), the site list's filters, the
// city's base layers. Names are user text: escaped before Leaflet renders them as HTML.
(function () {
  const el = document.getElementById("site-map");
  if (!el || !window.L) return;
  const map = cwMap.create(el);
  const base = cwMap.baseLayers(map, el);
  const palette = ["#00897b", "#8e24aa", "#f4511e", "#3949ab", "#c0ca33", "#6d4c41", "#d81b60", "#039be5", "#fb8c00", "#546e7a"];
  const types = {};
  const colour = (t) => { if (!(t in types)) types[t] = palette[Object.keys(types).length % palette.length]; return types[t]; };
  let layer = null, first = true;
  const legend = document.getElementById("site-legend");
  const load = (q) => {
    cwMap.get(`${el.dataset.points}${q ? `?${q}` : ""}`).then((data) => {
      if (layer) { base.control.removeLayer(layer); map.removeLayer(layer); }
      layer = L.geoJSON(data, {
        style: (f) => ({ color: colour(f.properties.type), weight: 4, opacity: 0.85, fillOpacity: 0.3 }),
        pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 6, weight: 1, color: "#fff", fillColor: colour(f.properties.type), fillOpacity: 0.9 }),
        onEachFeature: (f, l) => {
          l.bindTooltip(`${cwEscape(f.properties.name)}<br><small>${cwEscape(f.properties.type)} · ${cwEscape(f.properties.code)}</small>`);
          l.bindPopup(`<a href="${cwEscape(f.properties.url)}">${cwEscape(f.properties.name)}</a><br><small>${cwEscape(f.properties.type)}</small>`);
        },
      }).addTo(map);
      base.control.addOverlay(layer, "点位");
      const n = data.features.length;
      document.getElementById("site-count").textContent = `共 ${n} 个点位` + (n >= data.limit ? `（最多显示 ${data.limit} 个，请加筛选条件）` : "");
      legend.replaceChildren(...Object.entries(types).map(([t, c]) => {
        const s = document.createElement("span");
        s.className = "me-3 text-nowrap";
        const dot = document.createElement("span");
        dot.className = "badge me-1";
        dot.style.background = c;
        dot.innerHTML = "&nbsp;";
        s.append(dot, document.createTextNode(t));
        return s;
      }));
      el.dataset.loaded = String(n);
      if (n && first) map.fitBounds(layer.getBounds(), { maxZoom: 16 });
      first = false;
    });
  };
  cwMap.filter(document.querySelector(".cw-map-filter"), load);
  load(location.search.slice(1));
})();
