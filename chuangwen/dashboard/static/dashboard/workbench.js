// 工作台: "nearest first" for the inspector's sites. The browser asks for the position only
// when the button is tapped; the rows are then reordered by straight-line distance.
(function () {
  const metres = (lat1, lon1, lat2, lon2) => {
    const r = 6371008.8, rad = Math.PI / 180;
    const dLat = (lat2 - lat1) * rad, dLon = (lon2 - lon1) * rad;
    const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
    return 2 * r * Math.asin(Math.sqrt(a));
  };
  const label = (m) => (m < 1000 ? `${Math.round(m)} 米` : `${(m / 1000).toFixed(1)} 公里`);
  document.querySelectorAll(".cw-nearest").forEach((button) => {
    const card = button.closest(".cw-item");
    const status = card.querySelector(".cw-nearest-status");
    button.addEventListener("click", () => {
      if (!navigator.geolocation) { status.textContent = "浏览器不支持定位"; return; }
      status.textContent = "正在定位…";
      navigator.geolocation.getCurrentPosition((pos) => {
        const { latitude, longitude } = pos.coords;
        const list = card.querySelector(".cw-rows");
        const rows = [...list.querySelectorAll("li[data-lon]")].map((li) => {
          const d = metres(latitude, longitude, parseFloat(li.dataset.lat), parseFloat(li.dataset.lon));
          li.querySelector(".cw-distance").textContent = `距离约 ${label(d)}`;
          return [d, li];
        });
        rows.sort((a, b) => a[0] - b[0]).forEach(([, li]) => list.appendChild(li));
        list.dataset.sorted = "distance";
        status.textContent = `已按距离排序（定位精度约 ${Math.round(pos.coords.accuracy)} 米）`;
      }, (err) => { status.textContent = `定位失败：${err.message}`; },
      { enableHighAccuracy: true, timeout: 15000 });
    });
  });
})();
