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

  // The status line: beside the sticky bar on the visit form (where the thumb is), an alert elsewhere.
  function status(text, kind) {
    var box = document.querySelector("[data-offline-status]");
    if (!box) { return; }
    if (!box.dataset.baseClass) {
      box.dataset.baseClass = box.className.replace(/\b(alert-info|text-body-secondary)\b/g, "").trim();
    }
    var alert = /\balert\b/.test(box.dataset.baseClass);
    var tone = alert ? "alert-" + (kind || "info") : (kind && kind !== "info" ? "text-" + kind : "text-body-secondary");
    box.className = box.dataset.baseClass + " " + tone;
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

  // POST a queued entry's form data; resolves to {status, data} (data null when the answer is not JSON).
  function postQueued(entry, body) {
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

  function send(entry) {
    var body = new FormData();
    entry.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.append("client_uuid", entry.uuid);
    return postQueued(entry, body);
  }

  var flushing = false;

  // Send the outbox in order; stop at the first network failure and keep the rest for later.
  function flush() {
    if (flushing) { return; }
    flushing = true;
    // Photos first: a visit submitted offline locks on arrival, so its photos must land before it.
    flushPhotos().catch(function () { return true; }).then(function (sent) {
      flushing = false;
      if (sent) { flushForms(); }
    });
  }

  function flushForms() {
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
      flushForms();
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

  // A score the server would refuse (negative, above the maximum, not in steps of 0.5) is marked and
  // left out of the total, the same rule as inspections/rules.py score_problems.
  function scoreIsValid(value, max) {
    return value >= 0 && (isNaN(max) || value <= max) && (value * 2) % 1 === 0;
  }

  function total(form) {
    var out = form.querySelector("[data-total]") || document.querySelector("[data-total]");
    if (!out) { return; }
    var sum = 0;
    var refused = 0;
    form.querySelectorAll("[data-score]").forEach(function (input) {
      var value = parseFloat(input.value);
      var max = parseFloat(input.getAttribute("max"));
      var invalid = input.value !== "" && (isNaN(value) || !scoreIsValid(value, max));
      if (!invalid && !isNaN(value)) { sum += value; }
      if (invalid) { refused += 1; }
      input.classList.toggle("is-invalid", invalid);
    });
    out.textContent = (Math.round(sum * 10) / 10).toString();
    var note = form.querySelector("[data-total-note]");
    if (note) { note.textContent = refused ? "（" + refused + " 项得分无效，未计入）" : ""; }
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


  // ---- Photos from the camera, queued in IndexedDB (blobs are too big for localStorage) ----------------

  var PHOTO_DB = "eq-inspections";
  var PHOTO_STORE = "photos";

  function photoDb() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var request = window.indexedDB.open(PHOTO_DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(PHOTO_STORE, { keyPath: "uuid" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function photoStore(mode, work) {
    return photoDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(PHOTO_STORE, mode);
        var result = work(tx.objectStore(PHOTO_STORE));
        tx.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  function queuedPhotos() {
    return photoStore("readonly", function (store) { return store.getAll(); }).catch(function () { return []; });
  }

  function photoFigure(src, caption, kind) {
    var figure = document.createElement("figure");
    figure.className = "photo-thumb";
    var img = document.createElement("img");
    img.src = src;
    img.alt = "现场照片";
    var text = document.createElement("figcaption");
    text.className = "small text-" + kind;
    text.textContent = caption;
    figure.appendChild(img);
    figure.appendChild(text);
    return figure;
  }

  function showQueued(entry) {
    var list = document.querySelector("[data-photo-list]");
    if (!list || entry.page !== window.location.pathname) { return; }
    // Sent before a reload cut the queue's clean-up short: the page already shows it (sending it again
    // is answered as a replay and changes nothing).
    if (list.querySelector('[data-photo-uuid="' + entry.uuid + '"]')) { return; }
    var figure = photoFigure(URL.createObjectURL(entry.blob), "待上传", "warning");
    figure.dataset.photoUuid = entry.uuid;
    list.appendChild(figure);
  }

  function markPhoto(uuid, caption, kind, url) {
    var figure = document.querySelector('[data-photo-uuid="' + uuid + '"]');
    if (!figure) { return; }
    var text = figure.querySelector("figcaption");
    text.className = "small text-" + kind;
    text.textContent = caption;
    if (url) { figure.querySelector("img").src = url; figure.dataset.photoUploaded = ""; }
  }

  function sendPhoto(entry) {
    var body = new FormData();
    body.append("photo", entry.blob, entry.name);
    body.append("client_uuid", entry.uuid);
    body.append("taken_at", entry.takenAt);
    return postQueued(entry, body);
  }

  // Send queued photos one by one; resolves true when the queue is empty, false when the network failed.
  function flushPhotos() {
    return queuedPhotos().then(function (entries) {
      var chain = Promise.resolve(true);
      entries.forEach(function (entry) {
        chain = chain.then(function (ok) {
          if (!ok) { return false; }
          return sendPhoto(entry).then(function (result) {
            return photoStore("readwrite", function (store) { store.delete(entry.uuid); }).then(function () {
              if (result.data && result.data.ok) {
                markPhoto(entry.uuid, "已上传", "success", result.data.url);
                if (entry.page === window.location.pathname) {
                  status("现场照片已上传（" + new Date().toLocaleTimeString() + "）", "success");
                }
              } else {
                var errors = (result.data && result.data.errors) || ["照片上传失败（" + result.status + "）。"];
                markPhoto(entry.uuid, errors.join("；"), "danger");
              }
              return true;
            });
          }, function () {
            status("网络不可用：照片已保存在本机，联网后自动上传。", "warning");
            return false;
          });
        });
      });
      return chain;
    });
  }

  function setUpPhotos(form) {
    var input = form.querySelector("[data-photo-input]");
    if (!input || !window.indexedDB) { return; }
    form.classList.add("photo-queue-ready");
    queuedPhotos().then(function (entries) { entries.forEach(showQueued); });
    function queue() {
      var csrf = form.elements.namedItem("csrfmiddlewaretoken");
      var files = Array.prototype.slice.call(input.files || []);
      if (!files.length) { return; }
      var entries = files.map(function (file) {
        return {
          uuid: uuid4(),
          url: form.getAttribute("action"),
          page: window.location.pathname,
          blob: file,
          name: file.name || "photo.jpg",
          takenAt: new Date(file.lastModified || Date.now()).toISOString(),
          csrf: csrf ? csrf.value : ""
        };
      });
      photoStore("readwrite", function (store) { entries.forEach(function (entry) { store.put(entry); }); }).then(function () {
        entries.forEach(showQueued);
        input.value = "";
        status("照片已保存在本机，正在上传……", "info");
        flush();
      });
    }
    input.addEventListener("change", queue);
    form.addEventListener("submit", function (event) { event.preventDefault(); queue(); });
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
    document.querySelectorAll("form[data-photo-form]").forEach(setUpPhotos);
    window.addEventListener("online", flush);
    flush();
  });
})();
