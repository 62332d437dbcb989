// Inspection and observation forms that keep working when the network drops (a rural classroom).
//
// - Every change is kept in localStorage as a draft, so a reload or a flat battery loses nothing.
// - A submit is put in an outbox with a client-generated UUID, then sent; if the network is down it
//   stays in the outbox and is sent again when the browser comes back online (or the page is opened
//   again). The server keeps a receipt of each UUID, so a replay is applied once, never twice.
(function () {
  "use strict";

  var OUTBOX = "eq-inspections-outbox";

  function uuid4() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function read(key, fallback) {
    try { return JSON.parse(window.localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function write(key, value) {
    try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full or disabled */ }
  }

  function draftKey(form) { return "eq-draft:" + form.dataset.offlineForm; }

  function fieldsOf(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && name !== "client_uuid") { pairs.push([name, value]); }
    });
    return pairs;
  }

  function saveDraft(form) {
    var fields = fieldsOf(form).filter(function (pair) { return pair[0] !== "csrfmiddlewaretoken"; });
    write(draftKey(form), { fields: fields, savedAt: new Date().toISOString() });
  }

  function restoreDraft(form) {
    var draft = read(draftKey(form), null);
    if (!draft || !draft.fields) { return false; }
    draft.fields.forEach(function (pair) {
      var field = form.elements.namedItem(pair[0]);
      if (!field || field.type === "hidden" || field.type === "file") { return; }
      if (field.type === "checkbox") { field.checked = pair[1] === "on"; } else { field.value = pair[1]; }
    });
    return true;
  }

  function status(text, kind) {
    var box = document.querySelector("[data-offline-status]");
    if (!box) { return; }
    box.className = "alert small py-2 d-flex align-items-center gap-2 alert-" + (kind || "info");
    box.querySelector("span").textContent = text;
  }

  function showErrors(errors) {
    var box = document.querySelector("[data-offline-errors]");
    if (!box) { return; }
    box.textContent = "";
    var list = document.createElement("ul");
    list.className = "mb-0";
    errors.forEach(function (message) {
      var item = document.createElement("li");
      item.textContent = message;
      list.appendChild(item);
    });
    box.appendChild(list);
    box.classList.remove("d-none");
    box.scrollIntoView({ behavior: "smooth", block: "center" });
  }

  function send(entry) {
    var body = new FormData();
    entry.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.append("client_uuid", entry.uuid);
    return fetch(entry.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": entry.csrf || "" }
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; },
        function () { return { status: response.status, data: null }; });
    });
  }

  var flushing = false;

  // Send the outbox in order; stop at the first network failure and keep the rest for later.
  function flush() {
    if (flushing) { return; }
    var outbox = read(OUTBOX, []);
    if (!outbox.length) { return; }
    flushing = true;
    var entry = outbox[0];
    send(entry).then(function (result) {
      var rest = read(OUTBOX, []).filter(function (item) { return item.uuid !== entry.uuid; });
      write(OUTBOX, rest);
      flushing = false;
      var here = entry.page === window.location.pathname;
      if (result.data && result.data.ok) {
        window.localStorage.removeItem(entry.draft);
        if (here) {
          if (result.data.redirect && result.data.redirect !== window.location.pathname) {
            window.location.assign(result.data.redirect);
            return;
          }
          status(result.data.message + "（" + new Date().toLocaleTimeString() + "）", "success");
        }
      } else if (here) {
        showErrors((result.data && result.data.errors) || ["提交失败（" + result.status + "），请刷新页面后重试。"]);
        status("未保存：请按提示修改后重新提交。", "danger");
      }
      flush();
    }).catch(function () {
      flushing = false;
      status("网络不可用：已保存在本机，联网后自动提交（" + outbox.length + " 份待发送）。", "warning");
    });
  }

  function enqueue(form, action) {
    var fields = fieldsOf(form);
    if (action) { fields.push(["action", action]); }
    var csrf = form.elements.namedItem("csrfmiddlewaretoken");
    var outbox = read(OUTBOX, []);
    outbox.push({
      uuid: uuid4(),
      url: form.getAttribute("action") || window.location.pathname,
      page: window.location.pathname,
      draft: draftKey(form),
      fields: fields,
      csrf: csrf ? csrf.value : ""
    });
    write(OUTBOX, outbox);
  }

  function total(form) {
    var out = form.querySelector("[data-total]") || document.querySelector("[data-total]");
    if (!out) { return; }
    var sum = 0;
    form.querySelectorAll("[data-score]").forEach(function (input) {
      var value = parseFloat(input.value);
      if (!isNaN(value)) { sum += value; }
      var max = parseFloat(input.getAttribute("max"));
      input.classList.toggle("is-invalid", !isNaN(value) && (value < 0 || value > max));
    });
    out.textContent = (Math.round(sum * 10) / 10).toString();
  }

  function setUp(form) {
    if (restoreDraft(form)) { status("已恢复本机保存的草稿。", "info"); }
    total(form);
    form.addEventListener("input", function () { saveDraft(form); total(form); });
    form.addEventListener("change", function () { saveDraft(form); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var action = event.submitter && event.submitter.name === "action" ? event.submitter.value : "";
      saveDraft(form);
      enqueue(form, action);
      status("正在提交……", "info");
      flush();
    });
  }

  // A teacher's scores over time: data from a json_script element, drawn with the vendored ECharts.
  function lineChart(box) {
    if (!window.echarts) { return; }
    var source = document.getElementById(box.dataset.lineChart);
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(box);
    chart.setOption({
      grid: { left: 40, right: 16, top: 16, bottom: 32 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", min: function (v) { return Math.max(0, Math.floor(v.min / 10) * 10 - 10); }, max: 100 },
      series: [{ type: "line", name: "得分", data: data.totals, smooth: true, label: { show: true } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-line-chart]").forEach(lineChart);
    document.querySelectorAll("form[data-offline-form]").forEach(setUp);
    window.addEventListener("online", flush);
    flush();
  });
})();
