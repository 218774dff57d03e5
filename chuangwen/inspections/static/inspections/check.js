/* The phone check page: answers are queued on the phone (IndexedDB, localStorage as fallback),
 * each with a UUID made here, and sent when online. The server stores each UUID once, so a
 * resend after a lost answer is harmless; an answer leaves the queue only after the server has
 * confirmed it (201 stored, 200 already stored). No framework, no build step. */
(function () {
  "use strict";
  var app = document.getElementById("check-app");
  if (!app) return;
  var SUBMIT_URL = app.dataset.submitUrl;
  var CSRF = app.dataset.csrf;
  var DB_NAME = "cw-inspections";
  var STORE = "queue";
  var LS_KEY = "cw-inspections-queue";
  var position = null;
  var sending = false;

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /* --- the queue: IndexedDB when available, else localStorage ------------------------------ */
  var idb = null;
  function openDb() {
    return new Promise(function (resolve) {
      if (!window.indexedDB) return resolve(null);
      var req;
      try { req = indexedDB.open(DB_NAME, 1); } catch (e) { return resolve(null); }
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "uuid" }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { resolve(null); };
    });
  }
  function lsAll() { try { return JSON.parse(localStorage.getItem(LS_KEY) || "[]"); } catch (e) { return []; } }
  function lsSave(rows) { localStorage.setItem(LS_KEY, JSON.stringify(rows)); }
  function tx(mode, fn) {
    return new Promise(function (resolve, reject) {
      var t = idb.transaction(STORE, mode);
      var out = fn(t.objectStore(STORE));
      t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
      t.onerror = function () { reject(t.error); };
    });
  }
  var queue = {
    put: function (rec) {
      if (idb) return tx("readwrite", function (s) { return s.put(rec); });
      var rows = lsAll().filter(function (r) { return r.uuid !== rec.uuid; });
      rows.push(rec); lsSave(rows); return Promise.resolve();
    },
    remove: function (id) {
      if (idb) return tx("readwrite", function (s) { return s.delete(id); });
      lsSave(lsAll().filter(function (r) { return r.uuid !== id; })); return Promise.resolve();
    },
    all: function () {
      if (idb) return tx("readonly", function (s) { return s.getAll(); });
      return Promise.resolve(lsAll());
    }
  };

  /* --- helpers ------------------------------------------------------------------------------ */
  function setText(id, text) { var el = document.getElementById(id); if (el) el.textContent = text; }
  function refreshCount() {
    return queue.all().then(function (rows) {
      setText("queue-count", String(rows.length));
      setText("net-state", navigator.onLine ? "在线" : "离线（答案已保存在手机上）");
    });
  }
  function itemState(itemId, text, cls) {
    var form = app.querySelector('form[data-item="' + itemId + '"]');
    if (!form) return;
    var el = form.querySelector(".item-state");
    el.textContent = text; el.className = "small mt-1 item-state " + (cls || "");
  }
  function itemCount(itemId, n) {
    var form = app.querySelector('form[data-item="' + itemId + '"]');
    var el = form && form.querySelector(".item-count");
    if (el && typeof n === "number") { el.dataset.n = String(n); el.textContent = "已记录 " + n + " 次"; }
  }
  function shrink(file) {
    /* a photo as a JPEG data URL, at most 1600 px on its longer side */
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onerror = function () { reject(reader.error); };
      reader.onload = function () {
        var img = new Image();
        img.onerror = function () { resolve(reader.result); };
        img.onload = function () {
          var k = Math.min(1, 1600 / Math.max(img.width, img.height));
          var c = document.createElement("canvas");
          c.width = Math.round(img.width * k); c.height = Math.round(img.height * k);
          c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
          resolve(c.toDataURL("image/jpeg", 0.85));
        };
        img.src = reader.result;
      };
      reader.readAsDataURL(file);
    });
  }
  function value(form, name) {
    var el = form.elements[name];
    if (!el) return null;
    if (el.length !== undefined && el.tagName === undefined) {
      for (var i = 0; i < el.length; i++) if (el[i].checked) return el[i].value;
      return null;
    }
    return el.value === "" ? null : el.value;
  }

  /* --- sending ------------------------------------------------------------------------------ */
  function send(rec) {
    var body = Object.assign({}, rec); delete body.error;
    return fetch(SUBMIT_URL, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": CSRF },
      body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        return { status: resp.status, data: data };
      });
    });
  }
  function flush() {
    if (sending) return Promise.resolve();
    sending = true;
    return queue.all().then(function (rows) {
      rows.sort(function (a, b) { return a.queued_at < b.queued_at ? -1 : 1; });
      var chain = Promise.resolve(true);
      rows.forEach(function (rec) {
        chain = chain.then(function (go) {
          if (!go || rec.error) return go;
          return send(rec).then(function (r) {
            if (r.status === 200 || r.status === 201) {
              itemState(rec.check_item_id, r.data.case_number ? "已发送，已生成问题案件 " + r.data.case_number : (r.data.failed ? "已发送，未达标已记录" : "已发送"), "text-success");
              itemCount(rec.check_item_id, r.data.recorded);
              return queue.remove(rec.uuid).then(function () { return true; });
            }
            if (r.status === 400 || r.status === 404 || r.status === 409) {
              /* refused for a reason a resend cannot fix: keep it, show why */
              rec.error = (r.data && r.data.message) || ("错误 " + r.status);
              itemState(rec.check_item_id, "未被接受：" + rec.error, "text-danger");
              return queue.put(rec).then(function () { return true; });
            }
            if (r.status === 403) { setText("net-state", "登录已失效，请重新登录后再发送（答案仍保存在手机上）"); return false; }
            return false; /* 5xx, 429 …: try again later */
          }, function () { return false; /* offline */ });
        });
      });
      return chain;
    }).then(function () { sending = false; return refreshCount(); },
            function () { sending = false; return refreshCount(); });
  }

  /* --- the forms ---------------------------------------------------------------------------- */
  // the case category is a search picker (js/pickers.js) over the city's categories the page
  // carries (it searches offline too): the category linked to the item's standards comes
  // chosen, and the picker puts it back on form.reset()
  Array.prototype.forEach.call(app.querySelectorAll("form.check-item"), function (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      var files = Array.prototype.slice.call((form.elements.photos && form.elements.photos.files) || []);
      Promise.all(files.map(shrink)).then(function (photos) {
        var passed = value(form, "passed");
        var rec = {
          uuid: uuid4(),
          sample_id: Number(app.dataset.sample),
          check_item_id: Number(form.dataset.item),
          passed: passed === null ? null : passed === "true",
          value: value(form, "value"),
          missing: value(form, "missing"),
          count: value(form, "count"),
          total: value(form, "total"),
          duration_min: value(form, "duration_min"),
          note: value(form, "note") || "",
          category: value(form, "category"),
          lon: position ? position.lon : null,
          lat: position ? position.lat : null,
          observed_at: new Date().toISOString(),
          photos: photos,
          queued_at: Date.now()
        };
        return queue.put(rec).then(function () {
          itemState(rec.check_item_id, "已保存，等待发送…", "text-muted");
          form.reset();
          return refreshCount().then(flush);
        });
      }).catch(function (e) {
        itemState(form.dataset.item, "保存失败：" + e, "text-danger");
      }).then(function () { button.disabled = false; });
    });
  });
  var flushButton = document.getElementById("flush-now");
  if (flushButton) flushButton.addEventListener("click", function () {
    queue.all().then(function (rows) {
      /* a manual send also retries answers that were refused once */
      return Promise.all(rows.map(function (r) { if (r.error) { delete r.error; return queue.put(r); } }));
    }).then(flush);
  });

  /* the browser asks for the location only when the inspector taps the button */
  var locateButton = document.getElementById("locate");
  if (locateButton) locateButton.addEventListener("click", function () {
    if (!navigator.geolocation) { setText("gps", "设备不支持定位（将使用点位坐标）"); return; }
    setText("gps", "正在定位…");
    navigator.geolocation.watchPosition(function (p) {
      position = { lon: p.coords.longitude, lat: p.coords.latitude };
      setText("gps", "位置：" + position.lon.toFixed(6) + ", " + position.lat.toFixed(6) + "（±" + Math.round(p.coords.accuracy) + " 米）");
    }, function () { setText("gps", "无法获取位置（将使用点位坐标）"); }, { enableHighAccuracy: true, maximumAge: 30000 });
  });

  window.addEventListener("online", flush);
  window.addEventListener("offline", refreshCount);
  openDb().then(function (db) { idb = db; return refreshCount(); }).then(flush);
  setInterval(flush, 15000);
  window.cwCheckQueue = { flush: flush, all: function () { return queue.all(); } };
})();
