// status.js: a waiting page (the helpdesk's approval, a directory write
// still running) polls the flow's status every few seconds and moves on once
// the flow left the state it waits in (data-state), or its next page is
// another one.
"use strict";
(function () {
  var el = document.getElementById("approval-status");
  if (!el) return;
  function poll() {
    fetch(el.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        var moved = el.dataset.state && s.state && s.state !== el.dataset.state;
        if (s.next && (moved || s.next !== window.location.pathname)) { window.location.assign(s.next); return; }
        setTimeout(poll, 4000);
      })
      .catch(function () { setTimeout(poll, 8000); });
  }
  setTimeout(poll, 3000);
})();
