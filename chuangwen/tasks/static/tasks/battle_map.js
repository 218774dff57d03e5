// 作战图: the month chart from the page's json_script data
(function () {
  var d = JSON.parse(document.getElementById("chart-data").textContent);
  if (!window.echarts || !d.months.length) return;
  var c = echarts.init(document.getElementById("chart"));
  c.setOption({tooltip: {trigger: "axis"}, legend: {}, grid: {left: 40, right: 20, top: 30, bottom: 30},
    xAxis: {type: "category", data: d.months}, yAxis: {type: "value", minInterval: 1},
    series: [{name: "已逾期", type: "bar", stack: "s", data: d.overdue, itemStyle: {color: "#c62828"}},
             {name: "未完成", type: "bar", stack: "s", data: d.open, itemStyle: {color: "#90a4ae"}},
             {name: "已完成", type: "bar", stack: "s", data: d.done, itemStyle: {color: "#2e7d32"}}]});
})();
