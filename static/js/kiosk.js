// Sign-in at the door that survives a lost signal (the walk list's approach, static/js/
// walk-list.js). Without this script every tap is a plain form POST. With it, the search
// filters the list on the device, and each tap (sign in, walk-in) goes into a queue in
// localStorage first with a client_token, the row shows it at once, and the queue is sent in
// order: now, when the device comes back `online`, and every 10 s. The server keys walk-ins on
// their client_token and sign-ins are idempotent, so sending one twice records it once.
(function () {
  "use strict";
  var root = document.querySelector("[data-kiosk]");
  if (!root) return;
  var KEY = "organizer:kiosk-queue:" + root.dataset.event;
  var RETRY_MS = 10000;
  var status = document.getElementById("kiosk-queue");
  var list = document.getElementById("kiosk-list");
  var search = document.getElementById("kiosk-q");
  var flushing = false;
  var sentTimer = null;

  function store() { try { return window.localStorage; } catch (e) { return null; } }
  function load() { try { return JSON.parse(store().getItem(KEY)) || []; } catch (e) { return []; } }
  function save(queue) { try { store().setItem(KEY, JSON.stringify(queue)); } catch (e) { /* full */ } }
  function uuid() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); });
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") +
      "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }
  function say(text, kind) {
    if (!status) return;
    status.textContent = text;
    status.className = "walk-queue" + (kind ? " is-" + kind : "");
    status.hidden = !text;
  }
  function showWaiting() {
    var n = load().length;
    if (!n) return;
    clearTimeout(sentTimer);
    say(n === 1 ? root.dataset.waitingOne : root.dataset.waitingMany.replace("%(n)s", n), "");
  }

  // Search on the device: works with no signal (the whole list is in the page).
  function fold(s) { return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  function filter() {
    var q = fold(search.value.trim());
    var digits = q.replace(/\D/g, "");
    var words = q.split(/\s+/).filter(Boolean);
    Array.prototype.forEach.call(list.querySelectorAll(".kiosk-row"), function (row) {
      var hay = fold(row.dataset.search || "");
      var hit = !q || (digits.length >= 3 && hay.replace(/[^\d ]/g, "").indexOf(digits) >= 0) ||
        (words.length && words.every(function (w) { return hay.indexOf(w) >= 0; }));
      row.hidden = !hit;
    });
  }
  if (search && list) {
    search.addEventListener("input", filter);
    search.form.addEventListener("submit", function (e) { e.preventDefault(); filter(); });
  }

  function markSignedIn(item) {
    if (item.rsvp) {
      var row = document.getElementById("rsvp-" + item.rsvp);
      if (!row) return;
      row.classList.add("is-in", "is-pending");
      var form = row.querySelector("form[data-kiosk-tap]");
      var badge = document.createElement("span");
      badge.className = "badge ok";
      badge.setAttribute("data-state", "");
      badge.textContent = root.dataset.signedIn;
      if (form) form.replaceWith(badge);
    } else if (item.name && !document.querySelector('[data-token="' + item.client_token + '"]')) {
      var li = document.createElement("li");
      li.className = "kiosk-row is-in is-pending";
      li.dataset.token = item.client_token;
      li.dataset.search = item.name.toLowerCase();
      var name = document.createElement("span");
      name.className = "kiosk-name";
      name.textContent = item.name;
      var ok = document.createElement("span");
      ok.className = "badge ok";
      ok.textContent = root.dataset.signedIn;
      li.append(name, ok);
      list.prepend(li);
    }
  }
  function settled(item) {
    var row = item.rsvp ? document.getElementById("rsvp-" + item.rsvp)
      : document.querySelector('[data-token="' + item.client_token + '"]');
    if (row) row.classList.remove("is-pending");
  }
  function drop(token) { save(load().filter(function (q) { return q.client_token !== token; })); }
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; }
    catch (e) { return ""; }
  }
  function send(item) {
    var body = new URLSearchParams();
    Object.keys(item.fields).forEach(function (k) { body.append(k, item.fields[k]); });
    return fetch(item.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "HX-Request": "true" },
    });
  }
  function flush() {
    if (flushing) return;
    var queue = load();
    if (!queue.length) return;
    flushing = true;
    var item = queue[0];
    send(item).then(function (response) {
      var verdict = response.headers.get("X-Kiosk");
      if (response.ok && verdict === "ok") { drop(item.client_token); settled(item); return true; }
      if (response.status >= 400 && response.status < 500 && verdict === "rejected") {
        drop(item.client_token);
        return response.text().then(function (t) { say(root.dataset.rejected + " " + t, "error"); return true; });
      }
      return false;  // signed out, or the server is having trouble: keep it
    }, function () { return false; }).then(function (progressed) {
      flushing = false;
      if (!progressed) { showWaiting(); return; }
      if (load().length) { flush(); return; }
      if (status && !status.classList.contains("is-error")) {
        say(root.dataset.sent, "sent");
        clearTimeout(sentTimer);
        sentTimer = setTimeout(function () { say("", ""); }, 4000);
      }
    });
  }

  root.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-kiosk-tap]");
    if (!form) return;
    event.preventDefault();
    var fields = {};
    new FormData(form).forEach(function (v, k) { fields[k] = v; });
    var token = uuid();
    fields.client_token = token;
    var item = { url: form.action, client_token: token, fields: fields, rsvp: fields.rsvp || null };
    if (form.hasAttribute("data-walk-in")) {
      item.name = ((fields.first_name || "") + " " + (fields.last_name || "")).trim();
      form.reset();
      form.querySelector("input[name=first_name]").focus();
    }
    var queue = load();
    queue.push(item);
    save(queue);
    markSignedIn(item);
    flush();
  });

  load().forEach(markSignedIn);
  showWaiting();
  window.addEventListener("online", flush);
  setInterval(flush, RETRY_MS);
  flush();
})();
