// Searchable unit pickers: every <select data-cw-search> gets a filter box above it that hides
// the options not containing the typed text (no ids typed in; CSP: no inline script).
(function () {
  document.querySelectorAll("select[data-cw-search]").forEach(function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1";
    box.placeholder = "输入名称筛选…";
    box.setAttribute("aria-label", "筛选" + (select.labels && select.labels[0] ? select.labels[0].textContent : ""));
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var q = box.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (opt) {
        opt.hidden = q !== "" && opt.value !== "" && opt.text.toLowerCase().indexOf(q) === -1 && !opt.selected;
      });
    });
  });
})();
