// The queue behind taps that survive a lost signal (the kiosk, static/js/kiosk.js, and the walk
// list, static/js/walk-list.js). Each tap is stored in localStorage first ({url, fields,
// client_token, ...}) and the queue is sent in order, one POST at a time: at once, when the
// device comes back `online`, and every `retryMs`. The server keys each tap on its
// client_token, so sending one twice records it once. The page decides what an answer means
// (`judge`): true when the queue moved on (sent, or refused for good), false to keep it and try
// again later; it calls its third argument to take the item off the queue (before showing the
// answer, so the page sees the queue as it now is). The status line (`status`) says how many
// taps wait, and "sent" once none do; its texts come from the page's root element
// (data-waiting-one, data-waiting-many, data-sent).
(function () {
  "use strict";

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

  function csrfToken(root) {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (e) {
      var input = root.querySelector("[name=csrfmiddlewaretoken]");
      return input ? input.value : "";
    }
  }

  // options: {key, root, status, retryMs, judge(response, item, drop) -> bool | Promise<bool>}
  function OfflineQueue(options) {
    var root = options.root;
    var status = options.status;
    var flushing = false;
    var sentTimer = null;

    function store() {
      try { return window.localStorage; } catch (e) { return null; }
    }
    function load() {
      try { return JSON.parse(store().getItem(options.key)) || []; } catch (e) { return []; }
    }
    function save(queue) {
      try { store().setItem(options.key, JSON.stringify(queue)); } catch (e) { /* full */ }
    }
    function drop(token) {
      save(load().filter(function (q) { return q.client_token !== token; }));
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
    function send(item) {
      var body = new URLSearchParams();
      Object.keys(item.fields).forEach(function (name) { body.append(name, item.fields[name]); });
      return fetch(item.url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(root), "HX-Request": "true" },
      });
    }
    function flush() {
      if (flushing) return;
      var queue = load();
      if (!queue.length) return;
      flushing = true;
      var item = queue[0];
      send(item).then(function (response) {
        var done = function () { drop(item.client_token); };
        return options.judge(response, item, done);
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
    function push(item) {
      var queue = load();
      queue.push(item);
      save(queue);
      flush();
    }
    function start() {
      showWaiting();
      window.addEventListener("online", flush);
      setInterval(flush, options.retryMs);
      flush();
    }

    return { load: load, push: push, say: say, start: start };
  }

  OfflineQueue.uuid = uuid;
  window.OrganizerOfflineQueue = OfflineQueue;
})();
