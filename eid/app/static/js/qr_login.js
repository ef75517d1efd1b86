/* Desktop QR login (docs/architecture.md, "Desktop QR login").
 * 1. A non-extractable ECDSA P-256 key is made with WebCrypto; its public JWK and a
 *    signature over the server's nonce prove possession.
 * 2. Socket.IO namespace /qr-login carries the QR, its rotation, "scanned" (with the
 *    number to match) and "approved" (a one-time redeem code). If the socket cannot
 *    connect, the same state machine is driven by plain HTTP polling.
 * 3. The redeem code is posted with a signature by the same key; the server sets the
 *    session cookie and the page moves on.
 */
(function () {
  "use strict";
  const root = document.getElementById("qr-login");
  if (!root) return;
  const img = root.querySelector("[data-testid=qr-code]");
  const stateEl = root.querySelector("[data-testid=login-state]");
  const matchEl = root.querySelector("[data-testid=match-number]");
  const countdownEl = root.querySelector("[data-testid=qr-countdown]");
  const retryBtn = root.querySelector("[data-testid=qr-retry]");
  const nonce = root.dataset.nonce;
  const csrf = root.dataset.csrf;
  const texts = JSON.parse(root.dataset.texts || "{}");
  let key = null, jwk = null, tx = null, rotateAt = 0, expiresAt = 0, timer = null, socket = null,
      pollTimer = null, finished = false;

  const b64url = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

  async function sign(text) {
    const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key.privateKey,
      new TextEncoder().encode(text));
    return b64url(sig);
  }

  function setState(name, extra) {
    stateEl.dataset.state = name;
    stateEl.textContent = texts[name] || name;
    root.dataset.state = name;
    if (name !== "scanned") matchEl.textContent = "";
    if (["expired", "denied", "error", "reported", "disabled"].includes(name)) {
      retryBtn.hidden = false;
      img.classList.add("qr-dead");
      stopTimers();
    }
    if (extra && extra.number !== undefined) matchEl.textContent = String(extra.number);
  }

  function showQr(q) {
    tx = q.tx;
    img.src = q.qr_svg;
    img.classList.remove("qr-dead");
    img.dataset.uri = q.qr_uri;
    rotateAt = Date.now() + q.rotate_in * 1000;
    expiresAt = Date.now() + q.expires_in * 1000;
    setState("waiting");
    tick();
  }

  function tick() {
    clearInterval(timer);
    timer = setInterval(() => {
      const left = Math.max(0, Math.round((rotateAt - Date.now()) / 1000));
      countdownEl.textContent = String(left);
      if (Date.now() >= expiresAt && !finished) { setState("expired"); return; }
      if (left === 0 && root.dataset.state === "waiting") rotate();
    }, 500);
  }

  function stopTimers() {
    clearInterval(timer);
    clearInterval(pollTimer);
  }

  async function http(path, body) {
    const r = await fetch(path, {
      method: body ? "POST" : "GET", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: await r.json() };
  }

  function onEvent(ev) {
    if (finished || (ev.tx && ev.tx !== tx)) return;
    if (ev.state === "error" && ["expired", "rotation_limit"].includes(ev.error)) ev.state = "expired";
    if (ev.state === "scanned") setState("scanned", { number: ev.number });
    else if (ev.state === "approved") redeem(ev.redeem_code);
    else if (ev.state === "rotated" && ev.qr) showQr(ev.qr);
    else if (ev.state) setState(ev.state);
  }

  async function redeem(code) {
    finished = true;
    stopTimers();
    setState("approved");
    const proof = await sign(`${tx}.${code}`);
    const r = await http("/login/qr/redeem", { tx: tx, code: code, signature: proof });
    if (r.status === 200) {
      setState("signed_in");
      if (socket) socket.disconnect();
      window.location.assign(r.body.next || "/account");
    } else {
      finished = false;
      setState(r.body.error === "expired" ? "expired" : "error");
    }
  }

  function rotate() {
    if (socket && socket.connected) {
      socket.emit("rotate", { tx: tx }, (res) => { if (res && res.qr) showQr(res.qr); else if (res) onEvent(res); });
    } else {
      http("/login/qr/rotate", { tx: tx }).then((r) => {
        if (r.status === 200) showQr(r.body.qr); else onEvent({ state: r.body.state || "expired" });
      });
    }
  }

  async function start() {
    finished = false;
    retryBtn.hidden = true;
    const signature = await sign(nonce);
    const payload = { jwk: jwk, signature: signature };
    const viaHttp = async () => {
      const r = await http("/login/qr/start", payload);
      if (r.status !== 200) { setState("error"); return; }
      showQr(r.body.qr);
      clearInterval(pollTimer);
      pollTimer = setInterval(async () => {
        const s = await http(`/login/qr/status?tx=${encodeURIComponent(tx)}`);
        if (s.status === 200) onEvent(s.body);
      }, 1500);
    };
    if (typeof io !== "function" || root.dataset.transport === "polling") { viaHttp(); return; }
    socket = io("/qr-login", { transports: ["websocket", "polling"], reconnectionAttempts: 3, timeout: 5000 });
    let started = false;
    const fallback = setTimeout(() => { if (!started) { socket.close(); socket = null; viaHttp(); } }, 6000);
    socket.on("connect", () => {
      socket.emit("start", payload, (res) => {
        started = true;
        clearTimeout(fallback);
        if (res && res.qr) showQr(res.qr); else setState((res && res.state) || "error");
      });
    });
    socket.on("qr_event", onEvent);
    socket.on("connect_error", () => {});
  }

  retryBtn.addEventListener("click", () => { if (socket) socket.disconnect(); socket = null; start(); });

  (async () => {
    try {
      key = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
      const full = await crypto.subtle.exportKey("jwk", key.publicKey);
      jwk = { kty: full.kty, crv: full.crv, x: full.x, y: full.y };
      await start();
    } catch (e) {
      setState("error");
    }
  })();
})();
