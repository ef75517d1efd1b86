/* Small progressive enhancements; every page works without JavaScript. */
(function () {
  "use strict";
  document.querySelectorAll("input.otp").forEach((el) => {
    el.addEventListener("input", () => { el.value = el.value.replace(/\D/g, "").slice(0, 6); });
  });
})();
