// The shared table component (chuangwen/core/tables.py): the column chooser, remembered per
// table in localStorage, and the page-size select. Sorting and paging are plain links.
(function () {
  const KEY = (name) => `cw-table-cols:${name}`;
  const heads = (name) => document.querySelectorAll(`thead[data-cw-table="${CSS.escape(name)}"]`);

  const hiddenOf = (name) => {
    try {
      const saved = JSON.parse(window.localStorage.getItem(KEY(name)) || "null");
      if (Array.isArray(saved)) return new Set(saved.map(String));
    } catch (e) { /* unreadable: fall back to the defaults */ }
    const out = new Set();
    heads(name).forEach((h) => h.querySelectorAll("th[data-default-hidden]").forEach((th) => out.add(th.dataset.col)));
    return out;
  };

  const apply = (name) => {
    const hidden = hiddenOf(name);
    heads(name).forEach((thead) => {
      const ths = [...thead.querySelectorAll("th[data-col]")];
      const table = thead.closest("table");
      const off = ths.map((th) => hidden.has(th.dataset.col));
      // its own class: a column's responsive "d-none d-md-table-cell" must stay as it is
      ths.forEach((th, i) => th.classList.toggle("cw-col-off", off[i]));
      table.querySelectorAll("tbody > tr, tfoot > tr").forEach((tr) => {
        if (tr.cells.length !== ths.length) return; // an "empty" or a spanning row
        [...tr.cells].forEach((td, i) => td.classList.toggle("cw-col-off", off[i]));
      });
    });
    document.querySelectorAll(`.cw-table-tools[data-cw-table="${CSS.escape(name)}"] .cw-cols input`).forEach((box) => {
      if (!box.disabled) box.checked = !hidden.has(box.value);
    });
  };

  const save = (name, hidden) => {
    try { window.localStorage.setItem(KEY(name), JSON.stringify([...hidden])); } catch (e) { /* private mode */ }
    apply(name);
  };

  const init = (root) => {
    root.querySelectorAll("thead[data-cw-table]").forEach((thead) => apply(thead.dataset.cwTable));
  };

  document.addEventListener("change", (event) => {
    const box = event.target.closest(".cw-cols input[type=checkbox]");
    if (box) {
      const name = box.closest(".cw-table-tools").dataset.cwTable;
      const hidden = hiddenOf(name);
      if (box.checked) hidden.delete(box.value); else hidden.add(box.value);
      save(name, hidden);
      return;
    }
    const size = event.target.closest("select.cw-size");
    if (size) window.location.assign(size.value);
  });
  document.addEventListener("click", (event) => {
    const reset = event.target.closest(".cw-cols-reset");
    if (!reset) return;
    const name = reset.closest(".cw-table-tools").dataset.cwTable;
    try { window.localStorage.removeItem(KEY(name)); } catch (e) { /* private mode */ }
    apply(name);
  });
  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:afterSwap", (event) => init(event.target));
})();
// Tree tables (table.cw-tree, rows with data-path "1.4.9." and data-depth): a toggle shows a
// row's children or hides all its descendants; "all" buttons unfold or fold everything.
(function () {
  const rowsUnder = (tr) => {
    const path = tr.dataset.path, out = [];
    for (let next = tr.nextElementSibling; next && next.dataset.path && next.dataset.path.startsWith(path); next = next.nextElementSibling) out.push(next);
    return out;
  };
  const setOpen = (tr, open) => {
    const btn = tr.querySelector(".cw-tree-toggle");
    if (btn) btn.setAttribute("aria-expanded", String(open));
  };
  document.addEventListener("click", (event) => {
    const btn = event.target.closest(".cw-tree-toggle");
    if (btn) {
      const tr = btn.closest("tr"), open = btn.getAttribute("aria-expanded") !== "true";
      const depth = parseInt(tr.dataset.depth, 10);
      rowsUnder(tr).forEach((r) => {
        if (open) r.hidden = parseInt(r.dataset.depth, 10) !== depth + 1 && r.hidden;
        else { r.hidden = true; setOpen(r, false); }
      });
      setOpen(tr, open);
      return;
    }
    const all = event.target.closest(".cw-tree-all");
    if (!all) return;
    const open = !!all.dataset.open;
    const rows = [...document.querySelectorAll("table.cw-tree tbody tr[data-path]")];
    const top = Math.min(...rows.map((r) => parseInt(r.dataset.depth, 10)));
    rows.forEach((r) => {
      r.hidden = !open && parseInt(r.dataset.depth, 10) > top;
      setOpen(r, open);
    });
  });
})();
