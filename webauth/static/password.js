// password.js: the new-password form. Evaluates the policy's checklist while
// the user types, asks the server (rate-limited POST, never a GET with the
// password) for strength and the breached-list check, and toggles showing
// the password.
"use strict";
(function () {
  var form = document.getElementById("password-form");
  if (!form) return;
  var rules = JSON.parse(form.dataset.rules);
  var pw = document.getElementById("password"), confirm = document.getElementById("confirm");
  var meter = document.getElementById("strength"), label = document.getElementById("strength-label");
  var toggle = document.getElementById("toggle");
  var words = ["Very weak", "Weak", "Fair", "Strong", "Very strong"];
  var server = { breached: null, strength: 0 }, timer = null, seq = 0;

  function mark(rule, ok) {
    var li = form.querySelector('[data-rule="' + rule + '"]');
    if (!li) return;
    li.classList.toggle("ok", ok === true);
    li.classList.toggle("bad", ok === false);
  }
  function classes(s) {
    var n = 0;
    if (/[a-z]/.test(s)) n++;
    if (/[A-Z]/.test(s)) n++;
    if (/[0-9]/.test(s)) n++;
    if (/[^A-Za-z0-9]/.test(s)) n++;
    return n;
  }
  function local() {
    var s = pw.value, low = s.toLowerCase(), len = Array.from(s).length;
    var ok = {
      length: len >= rules.minLength && (!rules.maxLength || len <= rules.maxLength),
      classes: classes(s) >= (rules.classes || 0),
      name: (rules.forbidden || []).every(function (f) { return f.length < 3 || low.indexOf(f) < 0; }),
      match: s !== "" && s === confirm.value
    };
    Object.keys(ok).forEach(function (k) { mark(k, s === "" ? null : ok[k]); });
    mark("breached", s === "" ? null : server.breached === null ? null : !server.breached);
    return ok;
  }
  function check() {
    var mine = ++seq, s = pw.value;
    if (!s) return;
    rb.post(form.dataset.check, { password: s }).then(function (v) {
      if (mine !== seq) return;
      server.breached = v.breached; server.strength = v.strength;
      meter.value = v.strength;
      label.textContent = words[v.strength] || "";
      local();
    }).catch(function () { /* the submit re-checks everything */ });
  }
  function changed() {
    server.breached = null;
    local();
    clearTimeout(timer);
    timer = setTimeout(check, 350);
  }
  pw.addEventListener("input", changed);
  confirm.addEventListener("input", local);
  toggle.addEventListener("click", function () {
    var show = pw.type === "password";
    pw.type = confirm.type = show ? "text" : "password";
    toggle.textContent = show ? "Hide" : "Show";
    toggle.setAttribute("aria-pressed", show ? "true" : "false");
  });
})();
