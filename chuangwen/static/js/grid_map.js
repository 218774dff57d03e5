// Grid map: polygons from our own GeoJSON endpoint; tiles only when MAP_TILE_URL is configured.
(function () {
  const el = document.getElementById("map");
  if (!el) return;
  const map = cwMap.create(el);
  const base = cwMap.baseLayers(map, el);
  const palette = ["#e57373", "#64b5f6", "#81c784", "#ffb74d", "#ba68c8", "#4db6ac", "#f06292", "#a1887f"];
  const areas = {};
  const colour = (key) => {
    if (!(key in areas)) areas[key] = palette[Object.keys(areas).length % palette.length];
    return areas[key];
  };
  const style = (f) => ({ color: "#7f1d1d", weight: 0.6, fillColor: colour(f.properties.area), fillOpacity: 0.35 });
  fetch(el.dataset.geojson, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => {
      const layer = L.geoJSON(data, {
        style: style,
        // grid and unit names are user text: escaped, since Leaflet shows tooltips as HTML
        onEachFeature: (f, l) => l.bindTooltip(
          `${cwEscape(f.properties.code)} ${cwEscape(f.properties.name)}<br>${cwEscape(f.properties.unit)}`
        ),
      }).addTo(map);
      base.control.addOverlay(layer, "网格（按区着色）");
      document.getElementById("grid-count").textContent = `共 ${data.features.length} 个网格`;
      el.dataset.loaded = String(data.features.length);
      if (data.features.length) map.fitBounds(layer.getBounds());
    });
  const out = document.getElementById("locate-result");
  map.on("click", (e) => {
    const url = `${el.dataset.locate}?lon=${e.latlng.lng}&lat=${e.latlng.lat}`;
    fetch(url, { credentials: "same-origin" }).then((r) => r.json()).then((d) => {
      out.textContent = d.grid ? `所在网格：${d.grid.code}` : (d.message || "不在任何网格内");
      if (!el.dataset.place) return;
      // the readable place (district … grid, nearest site or road) from the city's own data
      cwMap.get(`${el.dataset.place}?lon=${e.latlng.lng}&lat=${e.latlng.lat}`).then((p) => {
        if (p.text) out.textContent = `${out.textContent} · ${p.text}`;
      }).catch(() => {});
    });
  });
})();
