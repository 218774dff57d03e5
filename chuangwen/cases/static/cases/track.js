// The tracking page: remember the code on this device, and the copy button of the
// "保存您的查询码" confirmation (clipboard, or select the code where the clipboard is refused).
(function () {
  var holder = document.querySelector("[data-cw-code]");
  if (!holder) return;
  var code = holder.getAttribute("data-cw-code");
  var saved = window.cwCodes && window.cwCodes.remember(code);
  var note = document.querySelector("[data-cw-saved]");
  if (note && saved) note.hidden = false;
  var button = document.querySelector("[data-cw-copy]");
  if (!button) return;
  var shown = document.querySelector("[data-cw-code-text]");
  function done(ok) {
    button.textContent = ok ? button.getAttribute("data-done") : button.getAttribute("data-manual");
  }
  function select() {
    if (!shown) return false;
    var range = document.createRange();
    range.selectNodeContents(shown);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }
  button.addEventListener("click", function () {
    if (navigator.clipboard && window.isSecureContext) {
      // some browsers leave the promise pending while they ask: fall back after a moment
      var settled = false;
      var timer = setTimeout(function () { if (!settled) { settled = true; done(select()); } }, 1500);
      navigator.clipboard.writeText(code).then(
        function () { if (!settled) { settled = true; clearTimeout(timer); done(true); } },
        function () { if (!settled) { settled = true; clearTimeout(timer); done(select()); } }
      );
    } else {
      done(select());
    }
  });
})();
