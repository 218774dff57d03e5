// the departments are in the page once; every row's select gets a copy (its own one stays chosen)
(function () {
  var tpl = document.getElementById("department-options");
  if (!tpl) return;
  document.querySelectorAll("select[name=department]").forEach(function (sel) {
    var current = sel.dataset.current;
    sel.options.length = 1;
    sel.appendChild(tpl.content.cloneNode(true));
    sel.value = current;
  });
})();
