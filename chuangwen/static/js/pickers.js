// Searchable pickers (chuangwen/core/widgets.py): every <select data-cw-picker="endpoint">
// becomes a tom-select that searches the endpoint as one types and scrolls on for more; a
// <select data-cw-options="id"> searches, here and with no connection, the rows the page carries
// in the json_script element of that id (the endpoint's shape). User text is escaped (cwEscape)
// before tom-select puts it into the page. A form's reset puts back the values the page came
// with (tom-select does not follow a reset itself).
(function () {
  if (!window.TomSelect) return;
  const getJSON = (url) => fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : Promise.reject(r.status)));
  const withParam = (url, key, value) => `${url}${url.includes("?") ? "&" : "?"}${key}=${encodeURIComponent(value)}`;
  const option = (d) => `<div>${cwEscape(d.text)}${d.hint ? `<div class="small text-muted">${cwEscape(d.hint)}</div>` : ""}</div>`;

  // a page's rows are read once; each picker gets its own copies (tom-select writes into them),
  // a chosen one keeping the select's own <option> (else tom-select adds a second one)
  const carried = {};
  const rowsOf = (id) => (carried[id] = carried[id] || JSON.parse(document.getElementById(id).textContent));
  const local = (el) => {
    const own = {};
    [...el.options].forEach((o) => { own[o.value] = o; });
    const options = rowsOf(el.dataset.cwOptions).map((d) => Object.assign({ $option: own[d.value] }, d));
    return { options: options, searchField: ["text", "hint"], plugins: [] };
  };
  const remote = (url) => ({
    searchField: [], preload: "focus", loadThrottle: 250,
    score: () => () => 1, // the endpoint has searched already: keep its order
    plugins: ["virtual_scroll"],
    firstUrl: (query) => withParam(url, "q", query),
    load: function (query, callback) {
      // the endpoint has searched; answers to an earlier query (every option matches any
      // query here) must not stay in the list: a new query starts from the chosen items only
      // (and a late answer to an earlier query is dropped)
      this.cwQuery = query;
      getJSON(this.getUrl(query)).then((data) => {
        if (query !== this.cwQuery) { callback(); return; }
        if (query !== this.cwLoaded) { this.clearOptions(); this.cwLoaded = query; }
        if (data.next) this.setNextUrl(query, data.next);
        callback(data.results);
      }).catch(() => callback());
    },
  });

  const init = (root) => root.querySelectorAll("select[data-cw-picker], select[data-cw-options]").forEach((el) => {
    if (el.tomselect) return;
    const url = el.dataset.cwPicker;
    const initial = [...el.selectedOptions].filter((o) => o.value).map((o) => ({ value: o.value, text: o.textContent }));
    const source = url ? remote(url) : local(el);
    source.plugins.push(el.multiple ? "remove_button" : "clear_button");
    const ts = new TomSelect(el, Object.assign(source, {
      valueField: "value", labelField: "text",
      placeholder: el.dataset.placeholder || "",
      maxOptions: null,
      render: {
        option: option,
        item: (d) => `<div>${cwEscape(d.text)}</div>`,
        no_results: () => '<div class="no-results">没有找到</div>',
        loading_more: () => '<div class="loading-more-results py-2 d-flex align-items-center"><div class="spinner"></div> 加载更多…</div>',
        no_more_results: () => '<div class="no-more-results">没有更多了，请输入文字缩小范围</div>',
      },
    }));
    // chosen values the page could not label (a filter's id in the address): ask the endpoint
    // (a page's own rows label theirs)
    const unknown = [...el.querySelectorAll("option[data-resolve]")].map((o) => o.value).filter(Boolean);
    if (url && unknown.length) {
      getJSON(withParam(url, "values", unknown.join(","))).then((data) => {
        data.results.forEach((d) => {
          ts.updateOption(d.value, d);
          initial.filter((i) => i.value === d.value).forEach((i) => { i.text = d.text; });
        });
      }).catch(() => {});
    }
    // the native reset runs after its event: put the page's values back once it has
    if (el.form) el.form.addEventListener("reset", () => setTimeout(() => {
      ts.clear(true);
      initial.forEach((d) => { if (!ts.options[d.value]) ts.addOption(d); });
      ts.setValue(initial.map((d) => d.value), true);
    }));
  });

  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:load", (event) => init(event.target));
})();
