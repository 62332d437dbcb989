// Charts of figures (ECharts, vendored). A chart is <div data-chart="kind" data-chart-data="{json}">;
// the page script-free (CSP): this file finds them and draws them.
(function () {
  "use strict";

  var PALETTE = ["#1f5fa8", "#e07b24", "#2e9d5b", "#c0392b", "#7d58b5", "#14909c", "#b5872b", "#5d6d7e", "#d35d9a"];
  var FONT = '"Noto Sans CJK SC", "Microsoft YaHei", sans-serif';

  function base() {
    return { color: PALETTE, textStyle: { fontFamily: FONT }, tooltip: { trigger: "axis" }, grid: { left: 48, right: 24, top: 48, bottom: 48, containLabel: true } };
  }

  var builders = {
    // Score-band distribution of each subject (city level).
    bands: function (d) {
      var o = base();
      o.legend = { top: 0 };
      o.title = { text: d.bandNote, bottom: 0, left: "center", textStyle: { fontSize: 12, fontWeight: "normal", color: "#666" } };
      o.grid.bottom = 64;
      o.xAxis = { type: "category", data: d.labels, name: "分数段", nameLocation: "middle", nameGap: 28 };
      o.yAxis = { type: "value", name: "人数", min: 0 };
      o.series = d.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; });
      return o;
    },
    // Schools' means in one subject (one category), with the city mean as a line. The axis starts
    // at zero and ends at full marks: a bar's length is the score, never a difference from a cut.
    ranking: function (d) {
      var o = base();
      o.grid.left = 16;
      o.grid.right = 48;
      o.xAxis = { type: "value", name: "平均分", nameLocation: "middle", nameGap: 28, min: 0, max: d.fullMarks || null };
      o.yAxis = { type: "category", data: d.schools.slice().reverse(), axisLabel: { width: 220, overflow: "break", interval: 0 } };
      var series = { type: "bar", name: "平均分", data: d.means.slice().reverse(), itemStyle: { color: PALETTE[0] } };
      if (d.cityMean !== null) {
        series.markLine = { symbol: "none", data: [{ xAxis: d.cityMean, name: "全市平均" }], label: { formatter: "全市 {c}" }, lineStyle: { color: PALETTE[3] } };
      }
      o.series = [series];
      return o;
    },
    // One school's score rates against the city's, per subject.
    school: function (d) {
      var o = base();
      o.legend = { top: 0 };
      o.xAxis = { type: "category", data: d.subjects };
      o.yAxis = { type: "value", name: "得分率(%)", min: 0, max: 100 };
      o.series = [
        { name: "本校", type: "bar", data: d.school },
        { name: "全市", type: "bar", data: d.city }
      ];
      return o;
    },
    // Items of a paper: score rate P against discrimination D, flagged items in red (试卷分析).
    itemScatter: function (d) {
      var o = base();
      o.tooltip = { trigger: "item", formatter: function (p) { return "第" + p.data.name + "题<br>P " + p.data.value[0] + "，D " + p.data.value[1]; } };
      o.xAxis = { type: "value", name: "得分率P", nameLocation: "middle", nameGap: 28, min: 0, max: 1 };
      o.yAxis = { type: "value", name: "区分度D", min: -0.2, max: 1 };
      var lines = [{ yAxis: d.floor }, { xAxis: d.hard }, { xAxis: d.easy }];
      o.series = [{
        type: "scatter", symbolSize: 12,
        label: { show: true, position: "right", formatter: function (p) { return p.data.name; }, fontSize: 10 },
        data: d.points.map(function (p) { return { name: p.label, value: p.value, itemStyle: { color: p.flagged ? PALETTE[3] : PALETTE[0] } }; }),
        markLine: { symbol: "none", silent: true, label: { show: false }, lineStyle: { type: "dashed", color: "#999" }, data: lines }
      }];
      return o;
    },
    // A school's score rate per knowledge point against its district's and the city's.
    knowledgeProfile: function (d) {
      var o = base();
      o.legend = { top: 0 };
      o.xAxis = { type: "category", data: d.points, axisLabel: { interval: 0, rotate: 30 } };
      o.yAxis = { type: "value", name: "得分率(%)", max: 100 };
      o.series = d.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; });
      return o;
    },
    // A school's score rate per subject across exams; the tooltip says its place in each exam
    // ("第 14 名 / 共 35 所", or its grade where the exam's policy shows grades).
    trend: function (d) {
      var o = base();
      o.legend = { top: 0 };
      o.tooltip = {
        trigger: "axis",
        formatter: function (points) {
          var lines = [points.length ? points[0].axisValueLabel : ""];
          points.forEach(function (p) {
            if (!p.data) { return; }
            lines.push(p.marker + p.seriesName + "：得分率 " + p.data.value + "%" + (p.data.place && p.data.place !== "—" ? "，" + p.data.place : ""));
          });
          return lines.join("<br>");
        }
      };
      o.xAxis = { type: "category", data: d.exams, axisLabel: { interval: 0, width: 120, overflow: "break" } };
      o.yAxis = { type: "value", name: "得分率(%)", min: 0, max: 100 };
      o.series = d.series.map(function (s) { return { name: s.name, type: "line", data: s.data, connectNulls: true }; });
      return o;
    },
    // Teaching-research duties: schools meeting and missing each line.
    duties: function (d) {
      var o = base();
      o.legend = { top: 0 };
      o.xAxis = { type: "category", data: d.labels, axisLabel: { interval: 0 } };
      o.yAxis = { type: "value", name: "学校数", minInterval: 1 };
      o.series = [
        { name: "达标", type: "bar", stack: "n", data: d.met, itemStyle: { color: PALETTE[2] } },
        { name: "未达标", type: "bar", stack: "n", data: d.not_met, itemStyle: { color: PALETTE[3] } }
      ];
      return o;
    },
    // A zone's schools side by side: activities (bars) and attendance rate (line).
    zone: function (d) {
      var o = base();
      o.legend = { top: 0 };
      o.xAxis = { type: "category", data: d.labels, axisLabel: { interval: 0, width: 90, overflow: "truncate" } };
      o.yAxis = [{ type: "value", name: "活动次数", minInterval: 1 }, { type: "value", name: "出勤率(%)", max: 100 }];
      o.series = [
        { name: "活动次数", type: "bar", data: d.activities },
        { name: "出勤率", type: "line", yAxisIndex: 1, data: d.attendance }
      ];
      return o;
    }
  };

  function draw(el) {
    var build = builders[el.dataset.chart];
    if (!build || !window.echarts) { return; }
    if (el.dataset.chart === "ranking") {  // a bar per school, each tall enough to read its name
      var count = JSON.parse(el.dataset.chartData).schools.length;
      el.style.height = Math.max(240, 28 * count + 96) + "px";
    }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(build(JSON.parse(el.dataset.chartData)));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(function (el) { el.classList.add("chart-box"); draw(el); });
  });
})();
