// passkey-register.js: the "Add a passkey" button of enrollment. Asks the
// server for creation options, lets the browser create a passkey (user
// verification required) and sends the attestation with the device name.
// Loaded in the head and listening on the document, so a tap at first
// paint is not lost to a script still loading.
"use strict";
document.addEventListener("click", function (ev) {
  var btn = ev.target.closest && ev.target.closest("#passkey-register");
  if (!btn || btn.disabled) return;
  var status = document.getElementById("register-status");
  var name = document.getElementById("device-name");
  var words = document.getElementById("register-words").dataset;
  btn.disabled = true;
  rb.say(status, words.prompt);
  rb.post(btn.dataset.begin).then(function (opts) {
    var pk = opts.publicKey;
    pk.challenge = rb.dec(pk.challenge);
    pk.user.id = rb.dec(pk.user.id);
    (pk.excludeCredentials || []).forEach(function (c) { c.id = rb.dec(c.id); });
    return navigator.credentials.create({ publicKey: pk });
  }).then(function (cred) {
    var r = cred.response;
    return rb.post(btn.dataset.finish, {
      name: name.value,
      credential: {
        id: cred.id, rawId: rb.enc(cred.rawId), type: cred.type,
        authenticatorAttachment: cred.authenticatorAttachment || undefined,
        clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
        response: {
          attestationObject: rb.enc(r.attestationObject), clientDataJSON: rb.enc(r.clientDataJSON),
          transports: r.getTransports ? r.getTransports() : []
        }
      }
    });
  }).then(function (res) {
    rb.say(status, words.done);
    window.location.assign(res.next);
  }).catch(function (e) {
    btn.disabled = false;
    if (e && e.name === "InvalidStateError") {
      rb.say(status, words.exists, true);
    } else if (e && e.name === "NotAllowedError") {
      rb.say(status, words.closed, true);
    } else if (e && e.info) {
      rb.say(status, rb.problem(e.info), true, e.info);
    } else {
      rb.say(status, words.failed, true);
    }
  });
});
