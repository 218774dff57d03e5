// The outlet's redemption page: scan the holder's QR code with the camera where the browser
// has a barcode detector (Chromium on Android); typing the code works everywhere.
(function () {
  "use strict";
  var button = document.getElementById("scan-button");
  var video = document.getElementById("scan-video");
  var input = document.getElementById("id_code");
  if (!button || !video || !input || !("BarcodeDetector" in window) || !navigator.mediaDevices) {
    return;
  }
  button.classList.remove("d-none");
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.classList.remove("d-none");
      video.play();
      var stop = function () {
        stream.getTracks().forEach(function (t) { t.stop(); });
        video.classList.add("d-none");
      };
      var look = function () {
        detector.detect(video).then(function (codes) {
          var found = codes.find(function (c) { return /^DY\d+-[A-Z2-7]{8}$/.test(c.rawValue); });
          if (found) {
            input.value = found.rawValue;
            stop();
            document.getElementById("id_points").focus();
          } else {
            window.requestAnimationFrame(look);
          }
        }).catch(function () { window.requestAnimationFrame(look); });
      };
      look();
    }).catch(function () { button.classList.add("d-none"); });
  });
})();
