// password.js: the new-password form. Ticks the checklist lines the browser
// can evaluate (length, complexity, names) on every keystroke, asks the
// server for the rest (breached list, strength) through a rate-limited POST
// (never a GET with the password in it); the Show toggle is toggle.js.
// The submit stays disabled while a rule the browser checks fails. The form
// is posted by script asking for JSON: a refusal is shown next to the field,
// which keeps what was typed, gets the focus and aria-invalid; a problem
// box goes as soon as the user types again.
"use strict";
(function () {
  var form = document.getElementById("password-form");
  if (!form) return;
  var rules = JSON.parse(form.dataset.rules);
  var words = document.getElementById("password-words").dataset;
  var pw = document.getElementById("password"), confirm = document.getElementById("confirm");
  var meter = document.getElementById("strength"), label = document.getElementById("strength-label");
  var submit = document.getElementById("set-password");
  var strengthWords = [words.s0, words.s1, words.s2, words.s3, words.s4];
  var server = {}, timer = null, seq = 0, busy = false;

  function mark(rule, ok, detail) {
    var li = form.querySelector('[data-rule="' + rule + '"]');
    if (!li) return;
    li.classList.toggle("ok", ok === true);
    li.classList.toggle("bad", ok === false);
    var sr = li.querySelector(".sr-state");
    if (sr) sr.textContent = ok === true ? words.met : words.notmet;
    var d = li.querySelector(".detail");
    if (d) d.textContent = ok === false && detail ? " (" + detail + ")" : "";
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
    var hit = (rules.forbiddenParts || []).filter(function (f) { return low.indexOf(f) >= 0; })[0];
    var ok = {
      min_length: len >= rules.minLength,
      max_length: len <= rules.maxLength,
      complexity: !rules.complexityRequired || classes(s) >= rules.minClasses,
      no_name: !hit,
      match: !confirm || (s !== "" && s === confirm.value)
    };
    var allOK = true;
    Object.keys(ok).forEach(function (k) {
      allOK = allOK && ok[k];
      mark(k, s === "" ? null : ok[k], k === "no_name" && hit ? words.namepart.replace("%s", hit) : "");
    });
    ["not_breached", "strength"].forEach(function (k) {
      mark(k, s === "" || !(k in server) ? null : server[k]);
    });
    submit.disabled = busy || s === "" || !allOK;
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
      label.textContent = strengthWords[v.strength] || "";
      local();
    }).catch(function () { /* the submit re-checks everything */ });
  }
  // clearProblem removes a refusal once the user types again: it was about
  // what they had typed.
  function clearProblem() {
    var p = document.getElementById("problem");
    if (p) p.remove();
    pw.removeAttribute("aria-invalid");
    if (confirm) confirm.removeAttribute("aria-invalid");
  }
  function showProblem(info) {
    clearProblem();
    var box = document.createElement("div");
    box.className = "problem"; box.id = "problem"; box.setAttribute("role", "alert");
    var t = document.createElement("p"); t.className = "problem-title"; t.textContent = info.title || "";
    var m = document.createElement("p"); m.textContent = info.message || "";
    box.appendChild(t); box.appendChild(m);
    if (info.hint) {
      var h = document.createElement("p"); h.className = "hint"; h.textContent = info.hint;
      box.appendChild(h);
    }
    if (info.errorId) {
      var e = document.createElement("p"); e.className = "errid";
      e.appendChild(document.createTextNode(words.errid + " "));
      var c = document.createElement("code"); c.id = "error-id"; c.textContent = info.errorId;
      e.appendChild(c); box.appendChild(e);
    }
    form.parentNode.insertBefore(box, form);
    var field = info.rule === "match" && confirm ? confirm : pw;
    if (info.rule) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-errormessage", "problem");
      if (info.rule !== "directory") mark(info.rule, false);
    }
    field.focus();
  }
  function changed() {
    clearProblem();
    server = {};
    local();
    clearTimeout(timer);
    timer = setTimeout(check, 350);
  }
  pw.addEventListener("input", changed);
  if (confirm) confirm.addEventListener("input", function () { clearProblem(); local(); });
  form.addEventListener("submit", function (ev) {
    if (!window.fetch) return;
    ev.preventDefault();
    if (busy) return;
    busy = true; submit.disabled = true;
    fetch(form.action, {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json" },
      body: new URLSearchParams(new FormData(form))
    }).then(rb.json).then(function (j) {
      window.location.assign(j.next);
    }).catch(function (e) {
      busy = false;
      showProblem(e && e.info ? e.info : { title: words.neterr, message: words.netmsg });
      local();
      if (e && e.info && e.info.restart) submit.disabled = true;
    });
  });
  if (document.getElementById("problem")) pw.focus();
  local();
})();
