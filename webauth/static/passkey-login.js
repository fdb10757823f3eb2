// passkey-login.js: the "Use my passkey" button. Asks the server for
// assertion options, lets the browser ask the authenticator (with user
// verification), and sends the signed response back.
"use strict";
(function () {
  var btn = document.getElementById("passkey-login");
  if (!btn) return;
  var status = document.getElementById("passkey-status");
  btn.addEventListener("click", function () {
    btn.disabled = true;
    rb.say(status, "Waiting for your passkey…");
    rb.post(btn.dataset.begin).then(function (opts) {
      var pk = opts.publicKey;
      pk.challenge = rb.dec(pk.challenge);
      (pk.allowCredentials || []).forEach(function (c) { c.id = rb.dec(c.id); });
      return navigator.credentials.get({ publicKey: pk });
    }).then(function (cred) {
      var r = cred.response;
      return rb.post(btn.dataset.finish, {
        id: cred.id, rawId: rb.enc(cred.rawId), type: cred.type,
        authenticatorAttachment: cred.authenticatorAttachment || undefined,
        clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
        response: {
          authenticatorData: rb.enc(r.authenticatorData), clientDataJSON: rb.enc(r.clientDataJSON),
          signature: rb.enc(r.signature), userHandle: r.userHandle ? rb.enc(r.userHandle) : undefined
        }
      });
    }).then(function (res) {
      rb.say(status, "Confirmed.");
      window.location.assign(res.next);
    }).catch(function (e) {
      btn.disabled = false;
      if (e && e.name === "NotAllowedError") {
        rb.say(status, "The passkey prompt was closed or no passkey matched. Try again.", true);
      } else if (e && e.info) {
        rb.say(status, e.info.title + ": " + e.info.message, true, e.info);
        if (e.info.restart) btn.disabled = true;
      } else {
        rb.say(status, "Your passkey could not be used here. Try again.", true);
      }
    });
  });
})();
