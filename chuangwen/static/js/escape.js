// One escape for every user string that ends up in HTML built by JavaScript: Leaflet tooltips
// and popups, ECharts tooltip formatters and rich-text labels. Loaded by base.html on every page.
(function () {
  const entities = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };
  window.cwEscape = function (value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"'`]/g, (c) => entities[c]);
  };
})();
