// Site-wide behaviour. No inline scripts anywhere: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  // Long jobs: poll the job's status and move the progress bar until it ends.
  function pollJob(panel) {
    var url = panel.dataset.statusUrl;
    var bar = panel.querySelector(".progress-bar");
    var text = panel.querySelector("[data-job-message]");
    var label = panel.querySelector("[data-job-status]");
    function show(data) {
      bar.style.width = data.progress + "%";
      bar.setAttribute("aria-valuenow", data.progress);
      bar.textContent = data.progress + "%";
      if (text) { text.textContent = data.message; }
      if (label) { label.textContent = data.status_label; }
    }
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          show(data);
          if (data.finished) { window.location.reload(); } else { window.setTimeout(tick, 800); }
        })
        .catch(function () { window.setTimeout(tick, 3000); });
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-job-poll]").forEach(pollJob);
    // Width of static progress bars, set here because inline styles are not used in templates.
    document.querySelectorAll("[data-width]").forEach(function (el) { el.style.width = el.dataset.width + "%"; });
    // Filters submit on change of a select, so a phone user needs no extra tap.
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("click", function (event) {
        if (!window.confirm(el.dataset.confirm)) { event.preventDefault(); }
      });
    });
  });
})();
