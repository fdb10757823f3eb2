// password.js: the new-password form. Ticks the checklist lines the browser
// can evaluate (length, complexity, names) on every keystroke, asks the
// server for the rest (breached list, strength) through a rate-limited POST
// (never a GET with the password in it), and toggles showing the password.
"use strict";
(function () {
  var form = document.getElementById("password-form");
  if (!form) return;
  var rules = JSON.parse(form.dataset.rules);
  var pw = document.getElementById("password"), confirm = document.getElementById("confirm");
  var meter = document.getElementById("strength"), label = document.getElementById("strength-label");
  var toggle = document.getElementById("toggle");
  var words = ["Very weak", "Weak", "Fair", "Strong", "Very strong"];
  var server = {}, timer = null, seq = 0;

  function mark(rule, ok) {
    var li = form.querySelector('[data-rule="' + rule + '"]');
    if (!li) return;
    li.classList.toggle("ok", ok === true);
    li.classList.toggle("bad", ok === false);
  }
  // classes counts character kinds as the server does: upper, lower,
  // digit, and anything else as a symbol.
  function classes(s) {
    var n = 0;
    if (/\p{Lu}/u.test(s)) n++;
    if (/\p{Ll}/u.test(s)) n++;
    if (/\p{Nd}/u.test(s)) n++;
    if (/[^\p{L}\p{Nd}]/u.test(s)) n++;
    return n;
  }
  function local() {
    var s = pw.value, low = s.toLowerCase(), len = Array.from(s).length;
    var ok = {
      min_length: len >= rules.minLength,
      max_length: len <= rules.maxLength,
      complexity: !rules.complexityRequired || classes(s) >= rules.minClasses,
      no_name: (rules.forbiddenParts || []).every(function (f) { return low.indexOf(f) < 0; }),
      match: !confirm || (s !== "" && s === confirm.value)
    };
    Object.keys(ok).forEach(function (k) { mark(k, s === "" ? null : ok[k]); });
    ["not_breached", "strength"].forEach(function (k) {
      mark(k, s === "" || !(k in server) ? null : server[k]);
    });
  }
  function check() {
    var mine = ++seq, s = pw.value;
    if (!s) return;
    rb.post(form.dataset.check, { password: s }).then(function (v) {
      if (mine !== seq) return;
      server = {};
      (v.rules || []).forEach(function (r) {
        if (r.id === "not_breached" || r.id === "strength") server[r.id] = r.ok;
      });
      meter.value = v.strength;
      label.textContent = words[v.strength] || "";
      local();
    }).catch(function () { /* the submit re-checks everything */ });
  }
  function changed() {
    server = {};
    local();
    clearTimeout(timer);
    timer = setTimeout(check, 350);
  }
  pw.addEventListener("input", changed);
  if (confirm) confirm.addEventListener("input", local);
  toggle.addEventListener("click", function () {
    var show = pw.type === "password";
    pw.type = show ? "text" : "password";
    if (confirm) confirm.type = pw.type;
    toggle.textContent = show ? "Hide" : "Show";
    toggle.setAttribute("aria-pressed", show ? "true" : "false");
  });
})();
