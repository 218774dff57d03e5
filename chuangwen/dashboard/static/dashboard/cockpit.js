// 数据大屏: builds the panels from the page's json_script data, then polls the JSON endpoint
// every data-refresh seconds and updates them in place (no reload). Every string from the
// server is plain text: it goes into the page through textContent, and into ECharts tooltips
// and Leaflet tooltips through cwEscape. A click on a figure, bar or point opens its list,
// except in kiosk mode (a wall has nobody to click).
(function () {
  const body = document.body;
  const kiosk = body.dataset.kiosk === "1";
  const grid = document.getElementById("panels");
  const charts = {};
  const maps = {};
  const COLORS = ["#4fc3f7", "#5ee1a2", "#ffb74d", "#ff6b6b", "#ba68c8", "#fff176"];

  const go = (url) => { if (url && !kiosk) window.location.href = url; };
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };
  const link = (url, cls, text) => {
    const node = el(url ? "a" : "span", cls, text);
    if (url) node.href = url;
    return node;
  };

  function shell(p) {
    const box = el("section", `cw-panel ${p.size || ""}`);
    box.id = `panel-${p.key}`;
    box.dataset.key = p.key;
    const head = el("h2");
    head.appendChild(link(p.url, "", p.title));
    head.appendChild(el("small", "cw-note"));
    box.appendChild(head);
    box.appendChild(el("div", "cw-figures"));
    box.appendChild(el("div", "cw-body"));
    grid.appendChild(box);
    return box;
  }

  function figures(box, p) {
    const wrap = box.querySelector(".cw-figures");
    wrap.replaceChildren(...p.figures.map((f) => {
      const fig = link(f.url, `cw-figure ${f.tone || ""}`);
      fig.appendChild(el("div", "label", f.label));
      const value = el("div", "value", f.value === null || f.value === undefined ? "—" : f.value);
      value.appendChild(el("span", "unit", f.unit));
      fig.appendChild(value);
      return fig;
    }));
  }

  function tooltip(params) {
    const list = Array.isArray(params) ? params : [params];
    const head = list.length ? cwEscape(list[0].name) : "";
    return [head, ...list.map((q) => `${cwEscape(q.seriesName)}：${cwEscape(q.value === null || q.value === undefined ? "—" : q.value)}`)].join("<br>");
  }

  function chartOption(c) {
    const axes = Math.max(0, ...c.series.map((s) => s.axis)) + 1;
    const category = {
      type: "category", data: c.categories,
      axisLabel: { color: "#9fb6cf", fontSize: 13, hideOverlap: true, width: c.horizontal ? 170 : 90, overflow: "truncate" },
      axisLine: { lineStyle: { color: "#2b4a70" } },
    };
    const values = Array.from({ length: axes }, (_, i) => ({
      type: "value", name: c.axis_names[i] || "", nameTextStyle: { color: "#7f97b2" }, scale: c.scale,
      axisLabel: { color: "#9fb6cf" }, splitLine: { show: i === 0, lineStyle: { color: "#16304f" } },
    }));
    return {
      backgroundColor: "transparent", color: COLORS, animationDuration: 600,
      tooltip: { trigger: c.horizontal ? "item" : "axis", confine: true, formatter: tooltip },
      legend: { show: c.series.length > 1, top: 0, textStyle: { color: "#c7d6e8", fontSize: 13 } },
      grid: { left: 8, right: 12, top: c.series.length > 1 ? 30 : 10, bottom: 4, containLabel: true },
      xAxis: c.horizontal ? values : category,
      yAxis: c.horizontal ? category : values,
      series: c.series.map((s) => ({
        name: s.name, type: s.kind, smooth: s.kind === "line", symbolSize: 7,
        [c.horizontal ? "xAxisIndex" : "yAxisIndex"]: s.axis,
        barMaxWidth: 28, connectNulls: false,
        data: s.data.map((v, i) => ({ value: v, url: s.urls[i] || "" })),
      })),
    };
  }

  function chart(box, p) {
    let inst = charts[p.key];
    if (!inst) {
      const div = el("div", "cw-chart");
      box.querySelector(".cw-body").replaceChildren(div);
      inst = charts[p.key] = echarts.init(div, "dark", { renderer: "canvas" });
      inst.on("click", (e) => go(e.data && e.data.url));
    }
    inst.setOption(chartOption(p.chart), { notMerge: true });
  }

  function mapPanel(box, p) {
    let m = maps[p.key];
    if (!m) {
      const div = el("div", "cw-map");
      box.querySelector(".cw-body").replaceChildren(div);
      const map = L.map(div, { preferCanvas: true, zoomControl: !kiosk, attributionControl: !!body.dataset.tiles });
      if (body.dataset.tiles) L.tileLayer(body.dataset.tiles, { maxZoom: 19, attribution: body.dataset.attribution || "" }).addTo(map);
      const center = p.map.center;
      map.setView(center ? [center[1], center[0]] : [30, 114], 12);
      m = maps[p.key] = { map, points: L.layerGroup().addTo(map), div };
      if (p.map.outlines_url) {
        fetch(p.map.outlines_url, { credentials: "same-origin" }).then((r) => r.json()).then((data) => {
          const layer = L.geoJSON(data, { style: { color: "#2f6aa3", weight: 0.6, fillColor: "#123457", fillOpacity: 0.35 }, interactive: false }).addTo(map);
          layer.bringToBack();
          if (data.features.length) map.fitBounds(layer.getBounds());
          div.dataset.outlines = String(data.features.length);
        });
      }
    }
    m.points.clearLayers();
    p.map.points.forEach((pt) => {
      const bad = pt.tone === "bad";
      const marker = L.circleMarker([pt.lat, pt.lon], { radius: bad ? 6 : 4, weight: 1, color: bad ? "#ff6b6b" : "#5ee1a2", fillOpacity: 0.85 });
      marker.bindTooltip(`${cwEscape(pt.label)}`);
      marker.on("click", () => go(pt.url));
      m.points.addLayer(marker);
    });
    m.div.dataset.points = String(p.map.points.length);
  }

  function rows(box, p) {
    const list = el("ul", "cw-rows");
    p.rows.forEach((r) => {
      const li = el("li", r.tone || "");
      li.appendChild(link(r.url, "", r.label));
      li.appendChild(el("span", "", r.value));
      list.appendChild(li);
    });
    box.querySelector(".cw-body").replaceChildren(list);
  }

  function render(data) {
    data.panels.forEach((p) => {
      const box = document.getElementById(`panel-${p.key}`) || shell(p);
      box.querySelector(".cw-note").textContent = p.note || "";
      figures(box, p);
      if (p.pending) {
        box.querySelector(".cw-body").replaceChildren(el("div", "cw-pending", "待接入"));
      } else if (p.map) {
        mapPanel(box, p);
      } else if (p.chart) {
        chart(box, p);
      } else if (p.rows.length) {
        rows(box, p);
      }
    });
    document.getElementById("updated").textContent = `更新于 ${data.generated_at.slice(11, 19)}`;
    grid.dataset.generated = data.generated_at;
  }

  function poll() {
    fetch(body.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then((data) => { document.getElementById("offline").hidden = true; render(data); })
      .catch(() => { document.getElementById("offline").hidden = false; });
  }

  const clock = document.getElementById("clock");
  const zone = { hour12: false, timeZone: body.dataset.tz || undefined };
  const tick = () => { clock.textContent = new Date().toLocaleString("zh-CN", zone); };
  tick();
  setInterval(tick, 1000);
  render(JSON.parse(document.getElementById("cockpit-data").textContent));
  const seconds = Math.max(10, parseInt(body.dataset.refresh, 10) || 60);
  setInterval(poll, seconds * 1000);
  window.addEventListener("resize", () => {
    Object.values(charts).forEach((c) => c.resize());
    Object.values(maps).forEach((m) => m.map.invalidateSize());
  });
})();
