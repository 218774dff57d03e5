// The tracking codes this device remembers (localStorage): the 随手拍 confirmation and the
// tracking page add to it, "my reports" on the public portal lists it. Only codes are kept —
// nothing else of the report ever leaves the server for the device.
(function () {
  var KEY = "cw.tracking_codes";
  var MAX = 50;
  var CODE = /^[A-Z0-9]{6,12}$/;

  function read() {
    try {
      var rows = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(rows) ? rows.filter(function (r) { return r && CODE.test(r.code); }) : [];
    } catch (e) {
      return [];
    }
  }

  function write(rows) {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(rows.slice(0, MAX)));
      return true;
    } catch (e) {
      return false; // private mode or storage full: the page still shows the code to write down
    }
  }

  window.cwCodes = {
    list: read,
    remember: function (code) {
      code = String(code || "").toUpperCase();
      if (!CODE.test(code)) return false;
      var rows = read().filter(function (r) { return r.code !== code; });
      rows.unshift({ code: code, at: new Date().toISOString().slice(0, 10) });
      return write(rows);
    },
    forget: function (code) {
      return write(read().filter(function (r) { return r.code !== code; }));
    },
  };
})();
