// Grid map: polygons from our own GeoJSON endpoint; tiles only when MAP_TILE_URL is configured.
(function () {
  const el = document.getElementById("map");
  if (!el) return;
  const map = L.map(el, { preferCanvas: true, attributionControl: !!el.dataset.tiles });
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  const lon = parseFloat(el.dataset.centerLon), lat = parseFloat(el.dataset.centerLat);
  map.setView([isNaN(lat) ? 30 : lat, isNaN(lon) ? 114 : lon], 12);
  const style = { color: "#b71c1c", weight: 1, fillColor: "#e57373", fillOpacity: 0.15 };
  fetch(el.dataset.geojson, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => {
      const layer = L.geoJSON(data, {
        style: () => style,
        onEachFeature: (f, l) => l.bindTooltip(`${f.properties.code} ${f.properties.name || ""}<br>${f.properties.unit}`),
      }).addTo(map);
      document.getElementById("grid-count").textContent = `共 ${data.features.length} 个网格`;
      el.dataset.loaded = String(data.features.length);
      if (data.features.length) map.fitBounds(layer.getBounds());
    });
  const out = document.getElementById("locate-result");
  map.on("click", (e) => {
    const url = `${el.dataset.locate}?lon=${e.latlng.lng}&lat=${e.latlng.lat}`;
    fetch(url, { credentials: "same-origin" }).then((r) => r.json()).then((d) => {
      out.textContent = d.grid ? `所在网格：${d.grid.code}` : (d.message || "不在任何网格内");
    });
  });
})();
