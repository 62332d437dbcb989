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

  // Long selects become type-to-search boxes (vendored Tom Select); without JavaScript, or if the
  // library failed to load, they stay ordinary selects. Marked by eduquality/forms.py.
  function searchable(select) {
    if (!window.TomSelect || select.tomselect) { return null; }
    var multiple = select.multiple;
    return new window.TomSelect(select, {
      plugins: multiple ? ["remove_button"] : [],
      allowEmptyOption: true,
      maxOptions: 200,
      hidePlaceholder: multiple,
      placeholder: multiple ? "输入姓名查找" : undefined,
      // After a pick in a multiple list, clear the typed name so the next one can be typed at once.
      onItemAdd: multiple ? function () { this.setTextboxValue(""); this.refreshOptions(false); } : undefined,
      render: {
        no_results: function () { return '<div class="no-results">没有匹配的选项</div>'; },
        option_create: function () { return ""; }
      }
    });
  }

  // A select whose options are grouped (the schools of a district, the teachers of a school) gets a
  // select of the groups in front of it: choose 区县, then the school (a dependent select).
  function groupFilter(select) {
    var groups = Array.prototype.map.call(select.querySelectorAll("optgroup"), function (g) { return g.label; });
    if (groups.length < 2) { return; }
    var filter = document.createElement("select");
    filter.className = "form-select mb-1 group-filter";
    filter.setAttribute("aria-label", "先选" + select.dataset.groupFilter);
    filter.dataset.groupFilterFor = select.id;
    var all = document.createElement("option");
    all.value = "";
    all.textContent = "全部" + select.dataset.groupFilter;
    filter.appendChild(all);
    groups.forEach(function (label) {
      var option = document.createElement("option");
      option.value = label;
      option.textContent = label;
      filter.appendChild(option);
    });
    var selected = select.selectedOptions && select.selectedOptions[0];
    if (!select.multiple && selected && selected.parentElement.tagName === "OPTGROUP") {
      filter.value = selected.parentElement.label;
    }
    var tom = select.tomselect;
    var everything = tom ? Object.keys(tom.options).map(function (key) { return tom.options[key]; }) : null;
    function apply() {
      var group = filter.value;
      if (tom) {
        // Tom Select keys its optgroups by an id of its own; the label is what the filter shows.
        var ids = Object.keys(tom.optgroups).filter(function (id) { return tom.optgroups[id].label === group; });
        var kept = tom.items.slice();
        tom.clearOptions();
        tom.addOptions(everything.filter(function (item) {
          return !group || ids.indexOf(String(item.optgroup)) >= 0 || kept.indexOf(item.value) >= 0;
        }));
        tom.refreshOptions(false);
        return;
      }
      select.querySelectorAll("optgroup").forEach(function (g) {
        g.hidden = Boolean(group) && g.label !== group;
        if (g.hidden && !select.multiple && g.contains(select.selectedOptions[0])) { select.value = ""; }
      });
    }
    filter.addEventListener("change", apply);
    var anchor = tom ? tom.wrapper : select;
    anchor.parentNode.insertBefore(filter, anchor);
    apply();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-job-poll]").forEach(pollJob);
    // Width of static progress bars, set here because inline styles are not used in templates.
    document.querySelectorAll("[data-width]").forEach(function (el) { el.style.width = el.dataset.width + "%"; });
    // Filters submit on change of a select, so a phone user needs no extra tap.
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll("select[data-searchable]").forEach(searchable);
    document.querySelectorAll("select[data-group-filter]").forEach(groupFilter);
    document.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("click", function (event) {
        if (!window.confirm(el.dataset.confirm)) { event.preventDefault(); }
      });
    });
  });
})();
