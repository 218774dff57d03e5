// Volunteer pages: the phone's position for check-in/out and for a new activity's place, and
// the QR display page refreshing its code before it expires (no inline scripts under the CSP).
(function () {
  const locate = (done, fail) => {
    if (!navigator.geolocation) { fail("浏览器不支持定位"); return; }
    navigator.geolocation.getCurrentPosition(done, (err) => fail(err.message),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  };
  // --- check-in / check-out page: fill the position, then the button sends it ---------------
  document.querySelectorAll("form.cw-check").forEach((form) => {
    const status = form.querySelector(".cw-geo-status");
    const lon = form.querySelector("[name=lon]"), lat = form.querySelector("[name=lat]");
    const fill = (pos) => {
      lon.value = pos.coords.longitude.toFixed(7);
      lat.value = pos.coords.latitude.toFixed(7);
      status.textContent = `已定位（精度约 ${Math.round(pos.coords.accuracy)} 米）`;
      form.dataset.located = "1";
    };
    const failed = (msg) => { status.textContent = "定位失败：" + msg + "。请允许浏览器使用定位后重试。"; };
    locate(fill, failed);
    form.addEventListener("submit", (event) => {
      if (form.dataset.located === "1") return;
      event.preventDefault();
      status.textContent = "正在获取您的位置…";
      locate((pos) => { fill(pos); form.submit(); }, failed);
    });
  });
  // --- QR display page: a fresh signed code every few seconds -----------------------------------
  const qr = document.getElementById("qr");
  if (qr && qr.dataset.refresh) {
    const every = Math.max(20, parseInt(qr.dataset.refresh, 10) || 60) * 1000;
    setInterval(() => { qr.src = qr.dataset.src + "?t=" + Date.now(); }, every);
  }
  // --- new activity: "use my position" ---------------------------------------------------------
  document.querySelectorAll(".cw-here").forEach((btn) => {
    const status = btn.parentElement.querySelector(".cw-here-status");
    btn.addEventListener("click", () => {
      status.textContent = "正在定位…";
      locate((pos) => {
        document.getElementById("id_lon").value = pos.coords.longitude.toFixed(7);
        document.getElementById("id_lat").value = pos.coords.latitude.toFixed(7);
        status.textContent = "已填入当前位置";
      }, (msg) => { status.textContent = "定位失败：" + msg; });
    });
  });
})();
