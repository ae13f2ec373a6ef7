// My day: save the walk-list pieces assigned to the user on the phone, so they open in a
// basement with no signal (see pieces-sw.js). The list comes from the data- attributes of
// [data-offline-pieces]; when the worker has stored them, a line under the list says so.
(function () {
  "use strict";
  var hook = document.querySelector("[data-offline-pieces]");
  if (!hook || !("serviceWorker" in navigator) || !window.MessageChannel) return;
  var urls = (hook.dataset.offlinePieces || "").split(" ").filter(Boolean);
  var worker = hook.dataset.offlineWorker + "?static=" + encodeURIComponent(hook.dataset.offlineStatic);
  var status = hook.querySelector("[data-offline-status]");

  function ask(registration, message) {
    return new Promise(function (resolve, reject) {
      var target = registration.active || registration.waiting || registration.installing;
      if (!target) { reject(new Error("no worker")); return; }
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) { resolve(event.data); };
      target.postMessage(message, [channel.port2]);
    });
  }

  function activated(registration) {
    // (navigator.serviceWorker.ready would wait for a worker controlling My day: none does.)
    if (registration.active) return Promise.resolve(registration);
    var sw = registration.installing || registration.waiting;
    return new Promise(function (resolve) {
      sw.addEventListener("statechange", function () {
        if (sw.state === "activated") resolve(registration);
      });
    });
  }

  navigator.serviceWorker.register(worker, { scope: hook.dataset.offlineScope })
    .then(activated)
    .then(function (registration) {
      return ask(registration, { type: "cache-pieces", user: hook.dataset.offlineUser, urls: urls });
    })
    .then(function (answer) {
      if (!answer || !answer.ok) throw new Error(answer && answer.error);
      hook.dataset.offlineReady = String(answer.count);
      if (status && urls.length) status.hidden = false;
    })
    .catch(function () {
      hook.dataset.offlineReady = "failed";
    });
})();
