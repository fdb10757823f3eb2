// landing.js: "Continue with passkey" in one tap. The landing form is
// posted by script asking for JSON: the answer redeems the link, binds the
// flow to this browser and carries the passkey options, so the passkey
// prompt opens from the same tap. Loaded before the body: the listener is
// on the document, so a tap at first paint is not lost. Without the script
// (or without WebAuthn) the form posts as it is and the verify page offers
// the passkey button.
"use strict";
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  if (form.id !== "landing-form" || !window.fetch || !window.PublicKeyCredential) return;
  ev.preventDefault();
  if (form.dataset.busy) return;
  form.dataset.busy = "1";
  var btn = form.querySelector("button[type=submit]");
  if (btn) btn.disabled = true;
  rb.say(document.getElementById("landing-status"), form.dataset.waiting || "");
  fetch(form.action, {
    method: "POST", credentials: "same-origin",
    headers: { "Accept": "application/json" },
    body: new URLSearchParams(new FormData(form))
  }).then(rb.json).then(function (j) {
    if (!j.assertion) { window.location.assign(j.next); return; }
    return rb.login(j.assertion, j.finish, j.csrf).then(function (res) {
      window.location.assign(res.next);
    }, function (e) {
      // The link is redeemed in this browser: the verify page explains
      // and offers the passkey button again.
      var why = e && e.name === "NotAllowedError" ? "cancelled" : "refused";
      window.location.assign(j.next + "?passkey=" + why);
    });
  }).catch(function () {
    // Not redeemed (used elsewhere, expired, replaced): the landing,
    // loaded again, says which.
    window.location.reload();
  });
});
