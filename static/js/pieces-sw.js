// The walk-list service worker: the pieces assigned to the signed-in user open with no signal.
// Served by hubs.views.walk.piece_worker at /hubs/pieces/sw.js (scope /hubs/pieces/), registered
// by offline-pieces.js from My day, which sends it {type: "cache-pieces", user, urls}: it stores
// each piece page and the static files it uses in a cache named for the user (other users'
// caches are deleted; app.js deletes them all on the signed-out page). A piece page is fetched
// from the network first; only when that fails is the stored copy served, and taps made on it
// wait in the page's queue (walk-list.js) until the signal is back. Nothing else is touched.
/* eslint-env serviceworker */
"use strict";

var PREFIX = "organizer-pieces-u";
var STATIC = new URL(self.location).searchParams.get("static") || "/static/";
var SCOPE = new URL(self.registration.scope).pathname;
var PIECE = new RegExp("^" + SCOPE.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "\\d+/$");
var ASSET = /(?:href|src)="([^"]+)"/g;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function ourCaches() {
  return caches.keys().then(function (names) {
    return names.filter(function (name) { return name.indexOf(PREFIX) === 0; });
  });
}

function assetsOf(html, base) {
  var found = [];
  var match;
  ASSET.lastIndex = 0;
  while ((match = ASSET.exec(html))) {
    var url = new URL(match[1].replace(/&amp;/g, "&"), base);
    if (url.origin === self.location.origin && url.pathname.indexOf(STATIC) === 0) {
      found.push(url.href);
    }
  }
  return found;
}

function store(cache, url) {
  return fetch(url, { credentials: "same-origin", cache: "no-store", redirect: "follow" })
    .then(function (response) {
      // A piece that is no longer ours answers 404, a lapsed session the sign-in page.
      if (!response.ok || response.redirected) return null;
      return cache.put(url, response.clone()).then(function () { return response; });
    });
}

function cachePieces(user, urls) {
  var name = PREFIX + user;
  var pages = urls.map(function (url) { return new URL(url, self.location).href; });
  return ourCaches().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== name; }).map(function (n) {
      return caches.delete(n);
    }));
  }).then(function () {
    return caches.open(name);
  }).then(function (cache) {
    return cache.keys().then(function (keys) {
      // Pieces no longer assigned to the user leave the phone.
      return Promise.all(keys.filter(function (request) {
        return PIECE.test(new URL(request.url).pathname) && pages.indexOf(request.url) < 0;
      }).map(function (request) { return cache.delete(request); }));
    }).then(function () {
      return Promise.all(pages.map(function (url) {
        return store(cache, url).then(function (response) {
          return response ? response.text().then(function (html) {
            return assetsOf(html, url);
          }) : [];
        });
      }));
    }).then(function (lists) {
      var assets = [];
      lists.forEach(function (list) {
        list.forEach(function (url) { if (assets.indexOf(url) < 0) assets.push(url); });
      });
      return Promise.all(assets.map(function (url) { return store(cache, url); }));
    }).then(function () {
      return cache.keys();
    }).then(function (keys) {
      return keys.filter(function (request) {
        return PIECE.test(new URL(request.url).pathname);
      }).length;
    });
  });
}

function fromCache(request) {
  return ourCaches().then(function (names) {
    return names.reduce(function (found, name) {
      return found.then(function (response) {
        if (response) return response;
        return caches.open(name).then(function (cache) {
          return cache.match(request, { ignoreVary: true, ignoreSearch: request.mode === "navigate" });
        });
      });
    }, Promise.resolve(undefined));
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var port = event.ports && event.ports[0];
  var reply = function (message) { if (port) port.postMessage(message); };
  if (data.type === "cache-pieces" && data.user) {
    event.waitUntil(cachePieces(String(data.user), data.urls || []).then(function (count) {
      reply({ ok: true, count: count });
    }, function (error) {
      reply({ ok: false, error: String(error) });
    }));
  } else if (data.type === "forget") {
    event.waitUntil(ourCaches().then(function (names) {
      return Promise.all(names.map(function (name) { return caches.delete(name); }));
    }).then(function () { reply({ ok: true }); }));
  }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var page = request.mode === "navigate" && PIECE.test(url.pathname);
  if (!page && url.pathname.indexOf(STATIC) !== 0) return;
  event.respondWith(fetch(request).then(function (response) {
    if (page && !url.search && response.ok && !response.redirected) {
      // Keep the stored copy of an assigned piece fresh (only pieces already stored; not a
      // copy with ?note= open on one door).
      var copy = response.clone();
      fromCache(request).then(function (stored) {
        if (!stored) return;
        ourCaches().then(function (names) {
          if (names.length === 1) caches.open(names[0]).then(function (cache) {
            cache.put(url.origin + url.pathname, copy);
          });
        });
      });
    }
    return response;
  }, function (error) {
    return fromCache(request).then(function (stored) {
      if (stored) return stored;
      throw error;
    });
  }));
});
