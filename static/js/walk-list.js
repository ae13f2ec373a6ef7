// Walk list taps that survive a lost signal (the queue: static/js/offline-queue.js). Without this
// script every tap is a plain form POST; with it, each tap goes into a queue in localStorage first
// ({door_id, result, note, client_token, at, ...}), the door shows it as done at once, and the
// queue is sent in order: now, when the phone comes back `online`, and every 15 s. The server keys
// each tap on its client_token, so sending one twice records it once. A second tap of the same
// result on the same door within DOUBLE_TAP_MS is the same tap (a double tap) and is dropped here;
// the server drops it too (hubs.services.walk.DOUBLE_TAP). The "Add note / new person" form is in
// the page once (a <template>): a door gets its own copy when its <details> opens.
(function () {
  "use strict";
  var root = document.querySelector("[data-walk-list]");
  if (!root) return;
  var DOUBLE_TAP_MS = 2000;
  var lastTap = {};  // door id → {result, time} of its latest bare tap
  var moreTemplate = document.getElementById("walk-more-template");
  root.classList.add("has-js");

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
    var stillQueued = queue.load().some(function (q) { return String(q.door_id) === String(doorId); });
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

  var queue = window.OrganizerOfflineQueue({
    key: "organizer:walk-queue",
    root: root,
    status: document.getElementById("walk-queue"),
    retryMs: 15000,
    judge: function (response, item, drop) {
      return response.text().then(function (html) {
        if (response.ok && response.headers.get("X-Door-Result")) {
          drop();
          applyFragment(html, item.door_id);
          return true;
        }
        if (response.ok || response.status === 403) {
          // Signed out (the login page came back) or the session's CSRF changed: keep it.
          queue.say(root.dataset.signedOut, "error");
          return false;
        }
        if (response.status >= 400 && response.status < 500) {
          // Refused for good (door moved to someone else, bad value): do not retry forever.
          drop();
          applyFragment(html, item.door_id);
          queue.say(root.dataset.rejected + " " + (item.label || item.fields.result), "error");
          return true;
        }
        return false;  // the server is having trouble: try again later
      });
    },
  });

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
    var token = window.OrganizerOfflineQueue.uuid();
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
    markPending(item);
    if (form.closest("details")) form.reset();
    queue.push(item);
  });

  // Taps queued on an earlier visit: show them, then send them.
  queue.load().forEach(markPending);
  queue.start();
})();
