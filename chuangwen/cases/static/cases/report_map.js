// 随手拍: the citizen taps the map to place the spot (drags the marker to move it), or asks for
// the phone's position with "获取当前位置" (only when tapped). The spot fills the form's lon/lat
// (WGS-84) and is shown back in words from the city's own data (cases:public_place).
(function () {
  const el = document.getElementById("report-map");
  if (!el || !window.L || !window.cwMap) return;
  const form = el.closest("form");
  const lon = form.querySelector("[name=lon]"), lat = form.querySelector("[name=lat]"), crs = form.querySelector("[name=crs]");
  const out = form.querySelector(".cw-picked");
  const map = cwMap.create(el, { tap: true });
  cwMap.baseLayers(map, el);
  let marker = null, asked = 0;
  const describe = (ll) => {
    const n = ++asked;
    out.textContent = "正在识别位置…";
    cwMap.get(`${el.dataset.place}?lon=${ll.lng.toFixed(7)}&lat=${ll.lat.toFixed(7)}`).then((d) => {
      if (n !== asked) return; // a later tap answered first
      out.textContent = d.text ? `已选位置：${d.text}` : "已选位置（不在本市网格内，请在下方补充地址）";
      out.dataset.place = d.text || "";
    }).catch(() => { if (n === asked) out.textContent = "已选位置（暂时无法识别地址）"; });
  };
  const put = (ll, fill) => {
    if (fill) {
      lon.value = ll.lng.toFixed(7);
      lat.value = ll.lat.toFixed(7);
      if (crs) crs.value = "wgs84";
    }
    if (!marker) {
      marker = L.marker(ll, { draggable: true, autoPan: true, keyboard: true, title: "问题位置" }).addTo(map);
      marker.on("dragend", () => put(marker.getLatLng(), true));
    } else {
      marker.setLatLng(ll);
    }
    el.dataset.picked = "1";
    describe(ll);
  };
  map.on("click", (e) => put(e.latlng, true));
  // "获取当前位置" (cases.js) filled lon/lat: move the marker there
  form.addEventListener("cw:located", () => {
    const ll = L.latLng(parseFloat(lat.value), parseFloat(lon.value));
    if (isNaN(ll.lat) || isNaN(ll.lng)) return;
    map.setView(ll, Math.max(map.getZoom(), 16));
    put(ll, false);
  });
  // a re-shown form (an error) keeps the spot chosen before
  if (lon.value && lat.value) {
    const ll = L.latLng(parseFloat(lat.value), parseFloat(lon.value));
    if (!isNaN(ll.lat) && !isNaN(ll.lng)) { map.setView(ll, 16); put(ll, false); }
  }
})();
