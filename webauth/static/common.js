// common.js: base64url conversion for WebAuthn, a JSON POST helper that
// sends the flow's CSRF token, and the passkey sign-in both the landing page
// and the verify page use. Loaded in the head, before the page's buttons.
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
  // post sends body as JSON; csrf defaults to the page's flow token.
  post: function (url, body, csrf) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf || document.body.dataset.csrf },
      body: JSON.stringify(body || {})
    }).then(rb.json);
  },
  // json reads a JSON answer; a refusal becomes an Error carrying the
  // catalogued problem as info.
  json: function (r) {
    return r.json().then(function (j) {
      if (!r.ok) { var e = new Error(j.message || "Request failed"); e.info = j; throw e; }
      return j;
    });
  },
  // login runs the passkey prompt for assertion options from the server
  // and sends the signed answer to finish; it resolves to {next}.
  login: function (opts, finish, csrf) {
    var pk = opts.publicKey;
    pk.challenge = rb.dec(pk.challenge);
    (pk.allowCredentials || []).forEach(function (c) { c.id = rb.dec(c.id); });
    return navigator.credentials.get({ publicKey: pk }).then(function (cred) {
      var r = cred.response;
      return rb.post(finish, {
        id: cred.id, rawId: rb.enc(cred.rawId), type: cred.type,
        authenticatorAttachment: cred.authenticatorAttachment || undefined,
        clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
        response: {
          authenticatorData: rb.enc(r.authenticatorData), clientDataJSON: rb.enc(r.clientDataJSON),
          signature: rb.enc(r.signature), userHandle: r.userHandle ? rb.enc(r.userHandle) : undefined
        }
      }, csrf);
    });
  },
  // problem is a catalogued problem in one line: what happened and, when
  // the flow cannot go on, what to do next (said once, by the server).
  problem: function (info) {
    return info.title + ": " + info.message + (info.hint ? " " + info.hint : "");
  },
  say: function (el, msg, bad, info) {
    if (!el) return;
    // The error id's label is the page's, in the reader's language.
    var label = document.body && document.body.dataset.errid;
    el.textContent = msg + (info && info.errorId ? " (" + (label ? label + " " : "") + info.errorId + ")" : "");
    el.classList.toggle("bad", !!bad);
  }
};
