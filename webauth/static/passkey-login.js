// passkey-login.js: the verify page's passkey button (after a cancelled
// prompt, or in a browser that posted the landing form without script).
// Asks the server for assertion options, lets the browser ask the
// authenticator (with user verification), and sends the signed response
// back. Listens on the document from the head, so no tap is lost.
"use strict";
document.addEventListener("click", function (ev) {
  var btn = ev.target.closest && ev.target.closest("#passkey-login");
  if (!btn || btn.disabled) return;
  var status = document.getElementById("passkey-status");
  var d = document.getElementById("verify-words").dataset;
  btn.disabled = true;
  rb.say(status, d.waiting);
  rb.post(btn.dataset.begin).then(function (opts) {
    return rb.login(opts, btn.dataset.finish);
  }).then(function (res) {
    rb.say(status, d.confirmed);
    window.location.assign(res.next);
  }).catch(function (e) {
    if (e && e.info && e.info.restart) {
      rb.say(status, rb.problem(e.info), true, e.info);
      return; // the flow is over: nothing to try again
    }
    // The page, loaded again, says what happened and, after a second
    // miss, which devices hold this user's passkeys.
    var why = e && e.name === "NotAllowedError" ? "cancelled" : "refused";
    var n = (parseInt(d.tries, 10) || 0) + 1;
    window.location.assign(window.location.pathname + "?passkey=" + why + "&try=" + n);
  });
});
