// common.js: base64url conversion for WebAuthn and a JSON POST helper that
// sends the flow's CSRF token. Shared by the passkey scripts.
"use strict";
window.rb = {
  enc: function (buf) {
    var s = "", b = new Uint8Array(buf);
    for (var i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  },
  dec: function (str) {
    str = str.replace(/-/g, "+").replace(/_/g, "/");
    while (str.length % 4) str += "=";
    var s = atob(str), b = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    return b.buffer;
  },
  post: function (url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": document.body.dataset.csrf },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) { var e = new Error(j.message || "Request failed"); e.info = j; throw e; }
        return j;
      });
    });
  },
  say: function (el, msg, bad, info) {
    el.textContent = msg + (info && info.errorId ? " (error id " + info.errorId + ")" : "");
    el.classList.toggle("bad", !!bad);
  }
};
