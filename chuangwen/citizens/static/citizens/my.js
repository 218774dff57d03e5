// 我的上报: the codes this device remembers (cases/codes.js), each with its public state
// fetched from the portal (codes only; nothing personal comes back). Built with textContent:
// no server or stored text is ever parsed as HTML.
(function () {
  var box = document.getElementById("cw-my");
  if (!box || !window.cwCodes) return;
  var rows = window.cwCodes.list();
  if (!rows.length) {
    var p = document.createElement("p");
    p.className = "small text-muted";
    p.textContent = box.getAttribute("data-empty");
    box.appendChild(p);
    return;
  }
  var list = document.createElement("ul");
  list.className = "list-unstyled";
  var items = {};
  rows.forEach(function (r) {
    var li = document.createElement("li");
    li.className = "cw-p-card d-flex justify-content-between align-items-center gap-2";
    var left = document.createElement("div");
    var link = document.createElement("a");
    link.href = box.getAttribute("data-track-base") + encodeURIComponent(r.code) + "/";
    link.textContent = r.code;
    link.className = "fw-bold";
    var state = document.createElement("div");
    state.className = "small text-muted";
    state.textContent = r.at || "";
    left.appendChild(link);
    left.appendChild(state);
    var forget = document.createElement("button");
    forget.type = "button";
    forget.className = "btn btn-link btn-sm text-muted";
    forget.textContent = box.getAttribute("data-forget");
    forget.addEventListener("click", function () {
      window.cwCodes.forget(r.code);
      li.remove();
    });
    li.appendChild(left);
    li.appendChild(forget);
    list.appendChild(li);
    items[r.code] = state;
  });
  box.appendChild(list);
  var url = box.getAttribute("data-status-url") + "?codes=" + encodeURIComponent(rows.map(function (r) { return r.code; }).join(","));
  fetch(url, { credentials: "same-origin" })
    .then(function (resp) { return resp.ok ? resp.json() : null; })
    .then(function (data) {
      if (!data || !data.reports) return;
      data.reports.forEach(function (rep) {
        var el = items[rep.code];
        if (!el) return;
        el.textContent = rep.found ? rep.reported + " · " + rep.state : box.getAttribute("data-missing");
      });
    })
    .catch(function () { /* offline: the codes and links still work */ });
})();
