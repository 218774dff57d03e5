// Public suggestions page: one like per device (a random id kept on the device) and phone.
(function () {
  const KEY = "cw-device";
  let device = localStorage.getItem(KEY);
  if (!device) {
    const a = new Uint8Array(16);
    crypto.getRandomValues(a);
    device = Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
    localStorage.setItem(KEY, device);
  }
  const csrf = (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
  const phoneInput = document.querySelector("input[name=phone]");
  document.querySelectorAll(".cw-like").forEach((btn) => {
    btn.addEventListener("click", () => {
      const body = new URLSearchParams({ device: device, phone: phoneInput && /^1\d{10}$/.test(phoneInput.value) ? phoneInput.value : "" });
      fetch(btn.dataset.url, { method: "POST", body: body, headers: { "X-CSRFToken": csrf } })
        .then((r) => r.json())
        .then((d) => {
          const note = btn.parentElement.querySelector(".cw-like-note");
          if (d.likes !== undefined) btn.querySelector(".cw-like-count").textContent = d.likes;
          if (note) note.textContent = d.error || d.message || "";
          btn.disabled = true;
        })
        .catch(() => {});
    });
  });
})();
