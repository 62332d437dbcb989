// The home page's cockpit (驾驶舱): <div data-dashboard="stack|bar|line" data-chart-data="{json}"> from
// eduquality/figures.py. A click on a bar, a point or an axis label opens the figure one level down
// (its category's url); the page stays script-free (CSP): this file finds the charts and draws them.
(function () {
  "use strict";

  var PALETTE = ["#1f5fa8", "#e07b24", "#2e9d5b", "#c0392b", "#7d58b5", "#14909c", "#b5872b", "#5d6d7e", "#d35d9a"];
  var FONT = '"Noto Sans CJK SC", "Microsoft YaHei", sans-serif';

  function option(kind, d) {
    var narrow = window.innerWidth < 576;
    var valueAxis = { type: "value", minInterval: d.percent ? 0 : 1, min: 0 };
    if (d.percent) {
      valueAxis.max = 100;
      valueAxis.axisLabel = { formatter: "{value}%" };
    }
    var labels = d.categories;
    var categoryAxis = {
      type: "category", data: labels, triggerEvent: true,
      axisLabel: {
        interval: 0, overflow: "truncate",
        width: d.horizontal ? (narrow ? 96 : 160) : Math.max(64, Math.min(180, (narrow ? 300 : 560) / Math.max(labels.length, 1))),
        rotate: !d.horizontal && (labels.length > 6 || (narrow && labels.length > 4)) ? 30 : 0
      }
    };
    var series = d.series.map(function (s, i) {
      var one = { name: s.name, type: kind === "line" ? "line" : "bar", data: s.data, cursor: d.urls.length ? "pointer" : "default" };
      if (kind === "stack") { one.stack = "n"; }
      if (kind !== "line") { one.barMaxWidth = 28; }
      if (s.color) { one.itemStyle = { color: s.color }; }
      if (kind === "line") { one.connectNulls = true; one.symbolSize = 8; if (s.dashed) { one.lineStyle = { type: "dashed" }; } }
      if (kind === "bar" && d.series.length === 1) { one.label = { show: true, position: d.horizontal ? "right" : "top", formatter: d.percent ? "{c}%" : "{c}" }; }
      return one;
    });
    if (d.horizontal) {
      categoryAxis.inverse = true;
    }
    return {
      color: PALETTE,
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: "axis", axisPointer: { type: kind === "line" ? "line" : "shadow" }, valueFormatter: d.percent ? function (v) { return v === null || v === undefined ? "—" : v + "%"; } : undefined },
      legend: d.series.length > 1 ? { top: 0, type: "scroll" } : undefined,
      grid: { left: 8, right: 24, top: d.series.length > 1 ? 40 : 24, bottom: 8, containLabel: true },
      xAxis: d.horizontal ? valueAxis : categoryAxis,
      yAxis: d.horizontal ? categoryAxis : valueAxis,
      series: series
    };
  }

  function draw(el) {
    if (!window.echarts) { return; }
    var d = JSON.parse(el.dataset.chartData);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option(el.dataset.dashboard, d));
    function go(index) {
      if (index >= 0 && d.urls[index]) { window.location.href = d.urls[index]; }
    }
    chart.on("click", function (p) {
      if (p.componentType === "series") { go(p.dataIndex); }
      else if (p.componentType === "xAxis" || p.componentType === "yAxis") { go(d.categories.indexOf(p.value)); }
    });
    el.dataset.drawn = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-dashboard]").forEach(draw);
  });
})();
