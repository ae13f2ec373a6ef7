// Sign-in at the door that survives a lost signal (the walk list's queue, static/js/
// offline-queue.js). Without this script every tap is a plain form POST. With it, the search
// filters the list on the device, and each tap (sign in, walk-in) goes into the queue in
// localStorage first with a client_token, the row shows it at once, and the queue is sent in
// order: now, when the device comes back `online`, and every 10 s. The server keys walk-ins on
// their client_token and sign-ins are idempotent, so sending one twice records it once.
(function () {
  "use strict";
  var root = document.querySelector("[data-kiosk]");
  if (!root) return;
  var status = document.getElementById("kiosk-queue");
  var list = document.getElementById("kiosk-list");
  var search = document.getElementById("kiosk-q");

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
  var queue = window.OrganizerOfflineQueue({
    key: "organizer:kiosk-queue:" + root.dataset.event,
    root: root,
    status: status,
    retryMs: 10000,
    judge: function (response, item, drop) {
      var verdict = response.headers.get("X-Kiosk");
      if (response.ok && verdict === "ok") { drop(); settled(item); return true; }
      if (response.status >= 400 && response.status < 500 && verdict === "rejected") {
        drop();
        return response.text().then(function (t) {
          queue.say(root.dataset.rejected + " " + t, "error");
          return true;
        });
      }
      return false;  // signed out, or the server is having trouble: keep it
    },
  });

  root.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-kiosk-tap]");
    if (!form) return;
    event.preventDefault();
    var fields = {};
    new FormData(form).forEach(function (v, k) { fields[k] = v; });
    var token = window.OrganizerOfflineQueue.uuid();
    fields.client_token = token;
    var item = { url: form.action, client_token: token, fields: fields, rsvp: fields.rsvp || null };
    if (form.hasAttribute("data-walk-in")) {
      item.name = ((fields.first_name || "") + " " + (fields.last_name || "")).trim();
      form.reset();
      form.querySelector("input[name=first_name]").focus();
    }
    markSignedIn(item);
    queue.push(item);
  });

  queue.load().forEach(markSignedIn);
  queue.start();
})();
