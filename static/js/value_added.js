// Value-added charts (ECharts, vendored): <div data-va-chart="caterpillar|quadrant" data-chart-data="{json}">.
(function () {
  "use strict";

  var FONT = '"Noto Sans CJK SC", "Microsoft YaHei", sans-serif';
  var COLOURS = { above: "#2e9d5b", below: "#c0392b", level: "#1f5fa8", "": "#9aa5b1" };
  var LABELS = { above: "显著高于", below: "显著低于", level: "持平", "": "不作判断" };

  function fixed(v) { return (v > 0 ? "+" : "") + v.toFixed(2); }

  var builders = {
    // Each unit's estimate with its 95 % interval, lowest to highest.
    caterpillar: function (d) {
      var intervals = d.names.map(function (_, i) { return [i, d.lower[i], d.upper[i]]; });
      return {
        textStyle: { fontFamily: FONT },
        grid: { left: 48, right: 24, top: 24, bottom: 64, containLabel: true },
        tooltip: {
          trigger: "axis",
          formatter: function (p) {
            var i = p[0].dataIndex;
            return d.names[i] + "<br>增值 " + fixed(d.estimate[i]) + "<br>95%区间 [" + d.lower[i].toFixed(2) + ", " + d.upper[i].toFixed(2) + "]<br>" + LABELS[d.kind[i]];
          }
        },
        xAxis: { type: "category", data: d.names, axisLabel: { rotate: 60, fontSize: 10, interval: d.names.length > 40 ? "auto" : 0 } },
        yAxis: { type: "value", name: "增值（标准差）" },
        series: [
          {
            type: "custom",
            name: "95%区间",
            renderItem: function (params, api) {
              var low = api.coord([api.value(0), api.value(1)]);
              var high = api.coord([api.value(0), api.value(2)]);
              return { type: "line", shape: { x1: low[0], y1: low[1], x2: high[0], y2: high[1] }, style: { stroke: "#8899aa", lineWidth: 2 } };
            },
            encode: { x: 0, y: [1, 2] },
            data: intervals,
            z: 1
          },
          {
            type: "scatter",
            name: "增值",
            symbolSize: 7,
            data: d.estimate.map(function (v, i) { return { value: v, itemStyle: { color: COLOURS[d.kind[i]] } }; }),
            markLine: { symbol: "none", silent: true, data: [{ yAxis: 0 }], lineStyle: { color: "#333", type: "dashed" }, label: { formatter: "全市 0" } },
            z: 2
          }
        ]
      };
    },
    // Each class's T score across the cohort's exams.
    trend: function (d) {
      return {
        textStyle: { fontFamily: FONT },
        grid: { left: 48, right: 24, top: 48, bottom: 48, containLabel: true },
        tooltip: { trigger: "axis" },
        legend: { top: 0, type: "scroll" },
        xAxis: { type: "category", data: d.exams, axisLabel: { fontSize: 11 } },
        yAxis: { type: "value", name: "标准分 T", scale: true },
        series: d.series.map(function (s) {
          return { name: s.name, type: "line", data: s.data, connectNulls: true,
            markLine: { symbol: "none", silent: true, data: [{ yAxis: 50 }], label: { formatter: "全市 50" }, lineStyle: { color: "#999", type: "dashed" } } };
        })
      };
    },
    // Intake (prior mean z) against value-added: the four quadrants.
    quadrant: function (d) {
      var corner = { fontSize: 12, color: "#666" };
      return {
        textStyle: { fontFamily: FONT },
        grid: { left: 48, right: 24, top: 32, bottom: 48, containLabel: true },
        tooltip: { trigger: "item", formatter: function (p) { return p.data.name + "<br>入口z " + p.data.value[0].toFixed(2) + "，增值 " + fixed(p.data.value[1]) + "<br>" + LABELS[p.data.kind]; } },
        xAxis: { type: "value", name: "入口（z）", nameLocation: "middle", nameGap: 28 },
        yAxis: { type: "value", name: "增值（标准差）" },
        graphic: [
          { type: "text", right: 36, top: 40, style: Object.assign({ text: "高进高出" }, corner) },
          { type: "text", left: 96, top: 40, style: Object.assign({ text: "低进高出" }, corner) },
          { type: "text", right: 36, bottom: 64, style: Object.assign({ text: "高进低出" }, corner) },
          { type: "text", left: 96, bottom: 64, style: Object.assign({ text: "低进低出" }, corner) }
        ],
        series: [{
          type: "scatter",
          symbolSize: 9,
          data: d.points.map(function (p) { return { name: p.name, value: p.value, kind: p.kind, itemStyle: { color: COLOURS[p.kind] } }; }),
          markLine: { symbol: "none", silent: true, label: { show: false }, lineStyle: { color: "#333", type: "dashed" }, data: [{ xAxis: 0 }, { yAxis: 0 }] }
        }]
      };
    }
  };

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-va-chart]").forEach(function (el) {
      var build = builders[el.dataset.vaChart];
      if (!build || !window.echarts) { return; }
      el.classList.add("chart-box");
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(build(JSON.parse(el.dataset.chartData)));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  });
})();
