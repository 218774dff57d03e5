// Cases pages: GPS for the intake and verification forms, the case maps, the summary charts.
(function () {
  // --- GPS: fill hidden lon/lat (WGS-84 from the browser) -------------------------------
  document.querySelectorAll(".cw-geo").forEach((form) => {
    const status = form.querySelector(".cw-geo-status");
    const locate = () => {
      if (!navigator.geolocation) { if (status) status.textContent = "浏览器不支持定位，请填写地址"; return; }
      if (status) status.textContent = "正在定位…";
      navigator.geolocation.getCurrentPosition((pos) => {
        form.querySelector("[name=lon]").value = pos.coords.longitude.toFixed(7);
        form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(7);
        const crs = form.querySelector("[name=crs]"); if (crs) crs.value = "wgs84";
        if (status) status.textContent = `已定位（精度约 ${Math.round(pos.coords.accuracy)} 米）`;
        form.dispatchEvent(new CustomEvent("cw:located")); // the 随手拍 map moves its marker
      }, (err) => { if (status) status.textContent = "定位失败：" + err.message + "，请填写地址"; },
      { enableHighAccuracy: true, timeout: 15000 });
    };
    // the browser asks for the location only when the user taps the button
    const btn = form.querySelector(".cw-locate");
    if (btn) btn.addEventListener("click", locate);
  });
  // --- register form: which unit the chosen category makes responsible ----------------------
  document.querySelectorAll("select.cw-unit-hint").forEach((select) => {
    const note = select.closest("form").querySelector(".cw-unit-note");
    if (!note) return;
    const show = () => {
      // a search picker (tom-select) keeps the endpoint's row, with the rule's unit, per value
      const picked = select.tomselect && select.value ? select.tomselect.options[select.value] : null;
      const next = picked ? picked.unit || "" : select.selectedOptions[0] ? select.selectedOptions[0].dataset.unit || "" : "";
      const now = note.dataset.current || "";
      note.textContent = next && next !== now ? `责任单位将由「${now || "未定"}」改为「${next}」` : `责任单位：${now || "未定"}`;
      note.classList.toggle("text-danger", !!next && next !== now);
    };
    select.addEventListener("change", show);
    show();
  });
  // --- 随手拍: the category model's top 3 as the citizen types (optional choice) ------------
  document.querySelectorAll(".cw-cat-suggest").forEach((box) => {
    const form = box.closest("form");
    const text = form.querySelector("[name=description]");
    const chosen = form.querySelector("[name=category]");
    if (!text || !chosen) return;
    let timer = null, last = "";
    const render = (items) => {
      box.replaceChildren();
      if (!items.length) return;
      const label = document.createElement("div");
      label.className = "text-muted";
      label.textContent = "问题类别（系统推荐，可选）：";
      box.append(label);
      items.forEach((it) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "btn btn-sm me-1 mb-1 " + (chosen.value === it.code ? "btn-primary" : "btn-outline-secondary");
        b.textContent = `${it.name} ${Math.round(it.confidence * 100)}%` + (it.unit ? ` · ${it.unit}` : "");
        b.addEventListener("click", () => { chosen.value = chosen.value === it.code ? "" : it.code; render(items); });
        box.append(b);
      });
    };
    const ask = () => {
      const q = text.value.trim();
      if (q.length < 4 || q === last) return;
      last = q;
      fetch(box.dataset.url + "?text=" + encodeURIComponent(q.slice(0, 500)), { headers: { Accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : { suggestions: [] }))
        .then((d) => render(d.suggestions || []))
        .catch(() => {});
    };
    text.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(ask, 500); });
    ask();
  });
  const tiles = (map, el) => {
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  };
  // --- one case on its detail page ----------------------------------------------------------
  const one = document.getElementById("map");
  if (one && window.L && one.dataset.lat) {
    const ll = [parseFloat(one.dataset.lat), parseFloat(one.dataset.lon)];
    const map = window.cwMap ? cwMap.create(one) : L.map(one, { attributionControl: !!one.dataset.tiles });
    if (!window.cwMap) tiles(map, one);
    map.setView(ll, 17);
    if (window.cwMap) cwMap.baseLayers(map, one); // the streets, grids and sites around the case
    L.circleMarker(ll, { radius: 9, color: "#b71c1c", fillOpacity: 0.7 }).addTo(map);
  }
  // --- cases map: clustered points or a heat map, the case list's filters, base layers -------
  const all = document.getElementById("case-map");
  if (all && window.L && window.cwMap) {
    const map = cwMap.create(all, { zoom: 13 });
    const base = cwMap.baseLayers(map, all);
    const clusters = L.markerClusterGroup({ chunkedLoading: true, maxClusterRadius: 50, showCoverageOnHover: false });
    let heat = null, first = true, points = [];
    const view = () => (document.querySelector("input[name=case-view]:checked") || {}).value || "cluster";
    const show = () => {
      const wantHeat = view() === "heat";
      if (wantHeat) {
        map.removeLayer(clusters);
        if (heat) map.removeLayer(heat);
        heat = L.heatLayer(points, { radius: 22, blur: 18, maxZoom: 16, minOpacity: 0.35 }).addTo(map);
      } else {
        if (heat) { map.removeLayer(heat); heat = null; }
        clusters.addTo(map);
      }
      all.dataset.view = wantHeat ? "heat" : "cluster";
    };
    const load = (q) => {
      cwMap.get(`${all.dataset.points}${q ? `?${q}` : ""}`).then((data) => {
        clusters.clearLayers();
        const markers = data.features.map((f) => {
          const [lon, lat] = f.geometry.coordinates, p = f.properties;
          const m = L.circleMarker([lat, lon], { radius: 6, weight: 1, color: "#fff", fillColor: p.overdue ? "#d32f2f" : "#1976d2", fillOpacity: 0.9 });
          // category, state and place are user/office text: escaped for Leaflet's HTML popups
          m.bindPopup(`<a href="${cwEscape(p.url)}"><code>${cwEscape(p.number)}</code></a> ${cwEscape(p.category || "未分类")}<br>${cwEscape(p.state)}${p.overdue ? "（超期）" : ""}` +
            (p.place ? `<br><small>${cwEscape(p.place)}</small>` : ""));
          return m;
        });
        clusters.addLayers(markers);
        points = data.features.map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0], 1]);
        const n = data.features.length;
        document.getElementById("case-count").textContent = `共 ${n} 件` + (n >= data.limit ? `（最多显示 ${data.limit} 件，请加筛选条件）` : "");
        all.dataset.loaded = String(n);
        show();
        if (n && first) map.fitBounds(L.latLngBounds(points.map((p) => [p[0], p[1]])), { maxZoom: 16 });
        first = false;
      });
    };
    document.querySelectorAll("input[name=case-view]").forEach((r) => r.addEventListener("change", show));
    base.control.addOverlay(clusters, "案件（聚合点）");
    cwMap.filter(document.querySelector(".cw-map-filter"), load);
    load(location.search.slice(1));
  }
  // --- summary charts -------------------------------------------------------------------------
  if (window.echarts) {
    const pie = document.getElementById("state-chart");
    if (pie) {
      const rows = JSON.parse(document.getElementById("state-data").textContent);
      echarts.init(pie).setOption({ tooltip: {}, series: [{ type: "pie", radius: ["35%", "70%"], data: rows, label: { fontSize: 11 } }] });
    }
    const bar = document.getElementById("group-chart"), table = document.getElementById("summary-table");
    if (bar && table) {
      const rows = [...table.querySelectorAll("tbody tr")].filter((tr) => tr.querySelector(".label")).slice(0, 20);
      const labels = rows.map((tr) => tr.querySelector(".label").textContent);
      const num = (tr, cls) => parseFloat(tr.querySelector(cls).textContent) || 0;
      echarts.init(bar).setOption({
        tooltip: { trigger: "axis" }, legend: { data: ["上报", "结案", "结案率%"] },
        xAxis: { type: "category", data: labels, axisLabel: { rotate: 30, fontSize: 10 } },
        yAxis: [{ type: "value" }, { type: "value", max: 100 }],
        series: [
          { name: "上报", type: "bar", data: rows.map((tr) => num(tr, ".n")) },
          { name: "结案", type: "bar", data: rows.map((tr) => num(tr, ".closed")) },
          { name: "结案率%", type: "line", yAxisIndex: 1, data: rows.map((tr) => num(tr, ".rate")) },
        ],
      });
    }
  }
})();
