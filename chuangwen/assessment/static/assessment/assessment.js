// Unit assessment pages: score trend charts (ECharts) and the formula helper of the scheme
// editor. Data comes from json_script blocks; user text goes through cwEscape.
(function () {
  // --- trend: total (line) and rank (bars, inverted axis) per period ------------------------
  document.querySelectorAll(".cw-trend").forEach((el) => {
    const source = document.getElementById(el.dataset.source);
    if (!source || !window.echarts) return;
    const data = JSON.parse(source.textContent);
    if (!data.labels.length) { el.textContent = "暂无历史数据"; el.style.height = "auto"; return; }
    const chart = echarts.init(el);
    chart.setOption({
      tooltip: {
        trigger: "axis",
        formatter: (items) => items.map((p) => `${cwEscape(p.axisValue)} ${cwEscape(p.seriesName)}：${cwEscape(p.value ?? "—")}`).join("<br>"),
      },
      legend: { data: ["总分", "名次"] },
      grid: { left: 40, right: 40, top: 30, bottom: 30 },
      xAxis: { type: "category", data: data.labels },
      yAxis: [
        { type: "value", name: "总分", scale: true },
        { type: "value", name: "名次", inverse: true, minInterval: 1, min: 1 },
      ],
      series: [
        { name: "总分", type: "line", data: data.totals, connectNulls: false },
        { name: "名次", type: "line", yAxisIndex: 1, data: data.ranks, lineStyle: { type: "dashed" } },
      ],
    });
    window.addEventListener("resize", () => chart.resize());
  });

  // --- scheme editor: insert a quantity into the formula field last focused -----------------
  let target = null;
  document.querySelectorAll("input[name$='-formula']").forEach((input) => {
    input.addEventListener("focus", () => { target = input; });
  });
  document.querySelectorAll("[data-insert]").forEach((btn) => {
    btn.addEventListener("click", (event) => {
      event.preventDefault();
      const field = target || document.querySelector("input[name$='-formula']");
      if (!field) return;
      const text = btn.dataset.insert;
      const start = field.selectionStart ?? field.value.length;
      const end = field.selectionEnd ?? field.value.length;
      field.value = field.value.slice(0, start) + text + field.value.slice(end);
      field.focus();
      field.setSelectionRange(start + text.length, start + text.length);
    });
  });
})();
