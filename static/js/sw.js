/* The offline copy: pages, pictures and sound a visitor has opened open again with no
 * network, and a repeat visit asks only "has it changed?" (a 304).
 *
 * The server decides what may be kept, never this file: only a same-origin 200 whose
 * Cache-Control says `public` (what the access policy lets everyone see, served to an
 * anonymous visitor) is stored. Signed-in pages and restricted material say
 * `private, no-store` and are never stored. Whatever answers 404 or 410 (unpublished,
 * withdrawn, expired) is deleted at once, and while online every kept entry is asked again
 * about once an hour, so a withdrawal leaves the phone the next time it is online. */
"use strict";

var CACHE = "mha-offline-v1";
var MAX_BYTES = 3 * 1024 * 1024;     // one picture or a few minutes of speech-grade sound
var PURGE_EVERY_MS = 60 * 60 * 1000;
var REFRESH_AFTER_MS = 24 * 60 * 60 * 1000;
var SKIP = /^\/(admin|django-admin|api|oai|low-bandwidth|i18n|sw\.js|healthz)(\/|$)/;
var lastPurge = Date.now();

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("mha-offline-") === 0 && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function keepable(response) {
  if (!response || response.status !== 200 || response.type !== "basic") return false;
  var cc = (response.headers.get("Cache-Control") || "").toLowerCase();
  if (!/(^|[\s,])public([\s,]|$)/.test(cc) || /private|no-store/.test(cc)) return false;
  var length = parseInt(response.headers.get("Content-Length") || "0", 10);
  return !(length > MAX_BYTES);
}

function gone(status) { return status === 404 || status === 410 || status === 401 || status === 403; }

/* `response` is a copy made at once (a body handed to the page cannot be cloned later). */
function remember(request, response) {
  return caches.open(CACHE).then(function (cache) {
    if (keepable(response)) return cache.put(request, response);
    if (gone(response.status) || /private|no-store/.test(response.headers.get("Cache-Control") || "")) {
      return cache.delete(request, { ignoreVary: true });
    }
  }).catch(function () {});
}

function fromNetwork(request) {
  return fetch(request).then(function (response) {
    remember(request, response.clone());
    return response;
  });
}

function offlinePage() {
  var body = '<!DOCTYPE html><html lang="zh-Hans"><meta charset="utf-8"><meta name="viewport" content="width=device-width">' +
    '<title>离线</title><body style="font:18px/1.7 sans-serif;padding:1rem;max-width:36rem;margin:auto">' +
    '<h1>现在没有网络</h1><p>这一页还没有保存在手机上。打开过的页面没有网络也能再看。</p>' +
    '<p lang="en">You are offline, and this page was not kept on this phone.</p><p><a href="/">返回首页 · Home</a></p>';
  return new Response(body, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

/* A player asks for byte ranges; answer them from a whole kept file, and keep the whole file
 * (when small) the first time it is played online. */
function ranged(request) {
  var m = /bytes=(\d*)-(\d*)/.exec(request.headers.get("Range") || "");
  return caches.match(request.url).then(function (whole) {
    if (!whole || !m) {
      return fetch(request).then(function (response) {
        var total = /\/(\d+)$/.exec(response.headers.get("Content-Range") || "");
        var cc = response.headers.get("Cache-Control") || "";
        if (response.status === 206 && total && +total[1] <= MAX_BYTES && /public/.test(cc)) {
          fetch(request.url).then(function (full) { return remember(new Request(request.url), full); }).catch(function () {});
        }
        return response;
      });
    }
    return whole.arrayBuffer().then(function (buf) {
      var start = m[1] ? parseInt(m[1], 10) : 0;
      var end = m[2] ? Math.min(parseInt(m[2], 10), buf.byteLength - 1) : buf.byteLength - 1;
      return new Response(buf.slice(start, end + 1), {
        status: 206,
        headers: {
          "Content-Type": whole.headers.get("Content-Type") || "application/octet-stream",
          "Content-Range": "bytes " + start + "-" + end + "/" + buf.byteLength,
          "Content-Length": String(end - start + 1),
          "Accept-Ranges": "bytes"
        }
      });
    });
  });
}

/* Ask again about everything kept; what is gone or no longer public is deleted. */
function purge() {
  lastPurge = Date.now();
  return caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return requests.reduce(function (chain, request) {
        return chain.then(function () {
          return fetch(request.url, { method: "HEAD", cache: "no-cache", credentials: "same-origin" })
            .then(function (response) {
              var cc = response.headers.get("Cache-Control") || "";
              if (gone(response.status) || /private|no-store/.test(cc)) return cache.delete(request);
            }).catch(function () {});
        });
      }, Promise.resolve());
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || SKIP.test(url.pathname)) return;
  if (request.headers.has("Range")) { event.respondWith(ranged(request)); return; }
  if (request.mode === "navigate") {
    // Network first (a revalidation: 304 when unchanged), the kept copy when offline.
    event.respondWith(fromNetwork(request).then(function (response) {
      if (navigator.onLine !== false && Date.now() - lastPurge > PURGE_EVERY_MS) event.waitUntil(purge());
      return response;
    }).catch(function () {
      return caches.match(request, { ignoreVary: true }).then(function (kept) { return kept || offlinePage(); });
    }));
    return;
  }
  // Pictures, styles, scripts: the kept copy at once; once a day it is fetched again in the
  // background (a rebuilt picture, a new stylesheet). Withdrawals are the purge's work.
  event.respondWith(caches.match(request, { ignoreVary: true }).then(function (kept) {
    if (!kept) return fromNetwork(request);
    var date = Date.parse(kept.headers.get("Date") || "") || 0;
    if (Date.now() - date > REFRESH_AFTER_MS) event.waitUntil(fromNetwork(request).catch(function () {}));
    return kept;
  }));
});
