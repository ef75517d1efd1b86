/* On the account page: a socket that tells this browser at once when its session is
 * revoked from the phone (then the page goes back to the sign-in page). */
(function () {
  "use strict";
  const el = document.getElementById("session-live");
  if (!el || typeof io !== "function") return;
  const socket = io("/session", { transports: ["websocket", "polling"] });
  socket.on("revoked", () => { window.location.assign("/login?revoked=1"); });
})();
