// Buttons and links with data-confirm="…" ask before they act (no inline onclick: the
// Content-Security-Policy allows scripts from files only).
document.addEventListener("click", function (event) {
  var el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
