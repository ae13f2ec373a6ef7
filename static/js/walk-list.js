// Walk list taps that survive a lost signal. Without this script every tap is a plain form
// POST; with it, each tap goes into a queue in localStorage first ({door_id, result, note,
// client_token, at, ...}), the door shows it as done at once, and the queue is sent in order:
// now, when the phone comes back `online`, and every 15 s. The server keys each tap on its
// client_token, so sending one twice records it once. A second tap of the same result on the
// same door within DOUBLE_TAP_MS is the same tap (a double tap) and is dropped here; the
// server drops it too (hubs.services.walk.DOUBLE_TAP). The "Add note / new person" form is in
// the page once (a <template>): a door gets its own copy when its <details> opens.
(function () {
  "use strict";
  var root = document.querySelector("[data-walk-list]");
  if (!root) return;
  var KEY = "organizer:walk-queue";
  var RETRY_MS = 15000;
  var DOUBLE_TAP_MS = 2000;
  var lastTap = {};  // door id → {result, time} of its latest bare tap
  var status = document.getElementById("walk-queue");
  var flushing = false;
  var sentTimer = null;
  var moreTemplate = document.getElementById("walk-more-template");
  root.classList.add("has-js");

  function store() {
    try { return window.localStorage; } catch (e) { return null; }
  }
  function load() {
    try { return JSON.parse(store().getItem(KEY)) || []; } catch (e) { return []; }
  }
  function save(queue) {
    try { store().setItem(KEY, JSON.stringify(queue)); } catch (e) { /* full or private */ }
  }
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
  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (e) {
      var input = root.querySelector("[name=csrfmiddlewaretoken]");
      return input ? input.value : "";
    }
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
    var text = n === 1 ? root.dataset.waitingOne : root.dataset.waitingMany.replace("%(n)s", n);
    say(text, "");
  }

  // The door shows the tap at once, marked as waiting until the server has it.
  function markPending(item) {
    var door = document.getElementById("door-" + item.door_id);
    if (!door) return;
    door.classList.add("is-done", "is-pending");
    var latest = door.querySelector("[data-latest]");
    if (latest) {
      var badge = document.createElement("span");
      badge.className = "walk-badge result-" + item.fields.result;
      badge.textContent = item.label || item.fields.result;
      latest.replaceChildren(badge, document.createTextNode(" " + root.dataset.pending));
    }
    var details = door.querySelector("details");
    if (details && item.fields.note !== undefined) details.open = false;
  }

  // Swap in the door fragment the server sent back, plus its out-of-band progress line.
  function applyFragment(html, doorId) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html;
    var fresh = tpl.content.getElementById("door-" + doorId);
    var current = document.getElementById("door-" + doorId);
    var stillQueued = load().some(function (q) { return String(q.door_id) === String(doorId); });
    if (fresh && current && !stillQueued) {
      // A note being written at this door stays as it is.
      var open = current.querySelector("details.walk-more[open]");
      var closed = fresh.querySelector("details.walk-more");
      if (open && closed) closed.replaceWith(open);
      current.replaceWith(fresh);
    }
    Array.prototype.forEach.call(tpl.content.querySelectorAll("[hx-swap-oob]"), function (el) {
      var target = document.getElementById(el.id);
      if (target) {
        el.removeAttribute("hx-swap-oob");
        target.replaceWith(el);
      }
    });
  }

  // "Add note / new person": the page holds one copy of the form in a <template>; a door gets
  // its own when its <details> opens (no network needed, so it works offline too).
  function fillMore(details) {
    if (!moreTemplate || details.querySelector("form")) return;
    var door = details.closest(".walk-door");
    var tap = door && door.querySelector("form.walk-tap");
    if (!tap) return;
    var doorId = door.dataset.doorId;
    var form = moreTemplate.content.querySelector("form").cloneNode(true);
    form.setAttribute("action", tap.getAttribute("action"));
    form.dataset.doorId = doorId;
    Array.prototype.forEach.call(form.querySelectorAll("[id]"), function (el) {
      el.id = el.id.replace(/-new$/, "-" + doorId);
    });
    Array.prototype.forEach.call(form.querySelectorAll("label[for]"), function (el) {
      el.htmlFor = el.htmlFor.replace(/-new$/, "-" + doorId);
    });
    var badge = door.querySelector(".walk-badge");
    var latest = badge && badge.className.match(/\bresult-(\w+)/);
    var result = form.querySelector("select[name=result]");
    if (latest && result) {
      result.value = latest[1];
      Array.prototype.forEach.call(result.options, function (o) { o.defaultSelected = o.selected; });
    }
    var who = form.querySelector("[data-who]");
    var people = door.querySelectorAll(".walk-residents [data-contact-id]");
    if (who && people.length) {
      var select = who.querySelector("select");
      Array.prototype.forEach.call(people, function (person) {
        select.add(new Option(person.textContent, person.dataset.contactId));
      });
      who.hidden = false;
    } else if (who) {
      who.remove();
    }
    var link = details.querySelector(".walk-more-link");
    if (link) link.remove();
    details.appendChild(form);
  }
  root.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.matches && details.matches("details.walk-more") && details.open) fillMore(details);
  }, true);

  function drop(token) {
    save(load().filter(function (q) { return q.client_token !== token; }));
  }

  function send(item) {
    var body = new URLSearchParams();
    Object.keys(item.fields).forEach(function (name) { body.append(name, item.fields[name]); });
    return fetch(item.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
    });
  }

  function flush() {
    if (flushing) return;
    var queue = load();
    if (!queue.length) return;
    flushing = true;
    var item = queue[0];
    send(item).then(function (response) {
      return response.text().then(function (html) {
        if (response.ok && response.headers.get("X-Door-Result")) {
          drop(item.client_token);
          applyFragment(html, item.door_id);
          return true;
        }
        if (response.ok || response.status === 403) {
          // Signed out (the login page came back) or the session's CSRF changed: keep it.
          say(root.dataset.signedOut, "error");
          return false;
        }
        if (response.status >= 400 && response.status < 500) {
          // Refused for good (door moved to someone else, bad value): do not retry forever.
          drop(item.client_token);
          applyFragment(html, item.door_id);
          say(root.dataset.rejected + " " + (item.label || item.fields.result), "error");
          return true;
        }
        return false;  // the server is having trouble: try again later
      });
    }, function () {
      return false;  // no connection
    }).then(function (progressed) {
      flushing = false;
      if (!progressed) {
        showWaiting();
        return;
      }
      if (load().length) {
        flush();
      } else if (status && !status.classList.contains("is-error")) {
        say(root.dataset.sent, "sent");
        clearTimeout(sentTimer);
        sentTimer = setTimeout(function () { say("", ""); }, 4000);
      }
    });
  }

  function isDoubleTap(doorId, result) {
    var now = Date.now();
    var last = lastTap[doorId];
    lastTap[doorId] = { result: result, time: now };
    return Boolean(last && last.result === result && now - last.time < DOUBLE_TAP_MS);
  }

  root.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-walk-tap]");
    if (!form) return;
    event.preventDefault();
    var fields = {};
    new FormData(form).forEach(function (value, name) { fields[name] = value; });
    var submitter = event.submitter;
    if (submitter && submitter.name) fields[submitter.name] = submitter.value;
    var token = uuid();
    var at = new Date().toISOString();
    fields.client_token = token;
    fields.at = at;
    var bare = submitter && submitter.name === "result";
    if (bare && isDoubleTap(form.dataset.doorId, fields.result)) return;
    var label = bare ? submitter.textContent.trim() : "";
    if (!label) {
      var select = form.querySelector("select[name=result]");
      if (select && select.selectedOptions.length) label = select.selectedOptions[0].textContent;
    }
    var item = {
      url: form.action, door_id: form.dataset.doorId, client_token: token, at: at,
      result: fields.result, note: fields.note || "", label: label, fields: fields,
    };
    var queue = load();
    queue.push(item);
    save(queue);
    markPending(item);
    if (form.closest("details")) form.reset();
    flush();
  });

  // Taps queued on an earlier visit: show them, then send them.
  load().forEach(markPending);
  showWaiting();
  window.addEventListener("online", flush);
  setInterval(flush, RETRY_MS);
  flush();
})();
