// status.js: the waiting page polls the flow's status every few seconds and
// moves on once the helpdesk decided.
"use strict";
(function () {
  var el = document.getElementById("approval-status");
  if (!el) return;
  function poll() {
    fetch(el.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.next && s.next !== window.location.pathname) { window.location.assign(s.next); return; }
        setTimeout(poll, 4000);
      })
      .catch(function () { setTimeout(poll, 8000); });
  }
  setTimeout(poll, 3000);
})();
