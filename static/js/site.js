/* Progressive enhancement for the archive's pages. Everything works without this file:
 * the native <audio controls> plays, the transcript is all there, pictures are links.
 * With it: a waveform that shows progress and seeks, the transcript follows playback and
 * seeks on a tap, #t=SECONDS starts there, the transcript languages toggle, and in
 * low-bandwidth mode a tapped picture loads in place; a 大字 switch, a 朗读 button and an
 * offline copy of what was opened. No framework, no build step. */
(function () {
  "use strict";

  // 大字 as early as this deferred script runs (no inline script: the site's CSP allows
  // none without a nonce, and pages are cached).
  try { if (localStorage.getItem("mha-large")) document.documentElement.classList.add("large"); } catch (e) {}

  function tapToLoad() {
    document.querySelectorAll("a.tap-to-load").forEach(function (a) {
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        var img = document.createElement("img");
        img.src = a.dataset.src;
        img.alt = a.dataset.alt || "";
        img.decoding = "async";
        a.replaceWith(img);
      });
    });
  }

  /* Pictures below the fold (related items, further pictures, cards) carry data-src and
   * are fetched when scrolled within 300 px: Chrome's own loading="lazy" starts 2,500 px
   * early on a slow link, which is every thumbnail of an item page. Until the page has
   * loaded only those on screen are fetched, so the ones just below do not share the slow
   * link with the first screen's. A <noscript> copy shows them without JavaScript. */
  function lazyImages() {
    var imgs = document.querySelectorAll("img[data-src]");
    function load(img) {
      if (img.dataset.srcset) { img.srcset = img.dataset.srcset; img.removeAttribute("data-srcset"); }
      img.src = img.dataset.src; img.removeAttribute("data-src");
    }
    if (!("IntersectionObserver" in window)) { imgs.forEach(load); return; }
    function watcher(margin) {
      var seen = new IntersectionObserver(function (entries) {
        entries.forEach(function (e) {
          if (e.isIntersecting && e.target.dataset.src) { seen.unobserve(e.target); load(e.target); }
        });
      }, { rootMargin: margin });
      return seen;
    }
    var onScreen = watcher("0px");
    imgs.forEach(function (img) { onScreen.observe(img); });
    function widen() {
      onScreen.disconnect();
      var near = watcher("300px 0px");
      imgs.forEach(function (img) { if (img.dataset.src) near.observe(img); });
    }
    if (document.readyState === "complete") widen();
    else window.addEventListener("load", widen);
  }

  function hashTime() {
    var m = /(?:^#|&)t=(\d+(?:\.\d+)?)/.exec(location.hash);
    return m ? parseFloat(m[1]) : null;
  }

  function seek(audio, t, play) {
    function go() {
      audio.currentTime = t;
      if (play) {
        var p = audio.play();
        if (p && p.catch) p.catch(function () {});
      }
    }
    if (audio.readyState >= 1) {
      go();
    } else {
      audio.addEventListener("loadedmetadata", go, { once: true });
      if (audio.preload === "none") audio.preload = "metadata";
      audio.load();
    }
  }

  function drawWave(box, audio) {
    var url = box.dataset.peaks;
    if (!url || !window.fetch) return;
    var canvas = document.createElement("canvas");
    canvas.setAttribute("aria-hidden", "true");
    box.appendChild(canvas);
    var peaks = null;
    function paint() {
      if (!peaks) return;
      var w = box.clientWidth, h = box.clientHeight, dpr = window.devicePixelRatio || 1;
      canvas.width = w * dpr; canvas.height = h * dpr;
      var c = canvas.getContext("2d");
      c.scale(dpr, dpr);
      var dur = audio.duration || peaks.duration || 1;
      var played = (audio.currentTime || 0) / dur;
      var n = Math.min(peaks.data.length, Math.floor(w / 3));
      var step = peaks.data.length / n;
      for (var i = 0; i < n; i++) {
        var v = 0;
        for (var j = Math.floor(i * step); j < Math.floor((i + 1) * step); j++) v = Math.max(v, peaks.data[j]);
        var bh = Math.max(2, v * (h - 4));
        c.fillStyle = i / n <= played ? "#b8322a" : "#8a94ad";
        c.fillRect(i * 3, (h - bh) / 2, 2, bh);
      }
    }
    fetch(url).then(function (r) { return r.ok ? r.json() : null; }).then(function (json) {
      if (!json || !json.data) return;
      peaks = json;
      box.hidden = false;
      paint();
    }).catch(function () {});
    audio.addEventListener("timeupdate", paint);
    window.addEventListener("resize", paint);
    box.addEventListener("click", function (ev) {
      var rect = box.getBoundingClientRect();
      var dur = audio.duration || (peaks && peaks.duration) || 0;
      if (dur) seek(audio, dur * (ev.clientX - rect.left) / rect.width, true);
    });
  }

  function transcript(section, audio) {
    var items = Array.prototype.slice.call(section.querySelectorAll("li[data-start]"));
    var cues = items.map(function (li) {
      return { li: li, start: parseFloat(li.dataset.start), end: parseFloat(li.dataset.end) };
    });
    var current = null;
    function follow() {
      var t = audio.currentTime;
      var now = null;
      for (var i = 0; i < cues.length; i++) {
        if (t >= cues[i].start && t < cues[i].end) { now = cues[i]; break; }
      }
      if (now === current) return;
      if (current) { current.li.classList.remove("now"); current.li.removeAttribute("aria-current"); }
      current = now;
      if (now) { now.li.classList.add("now"); now.li.setAttribute("aria-current", "true"); }
    }
    audio.addEventListener("timeupdate", follow);
    audio.addEventListener("seeked", follow);
    cues.forEach(function (cue) {
      cue.li.addEventListener("click", function (ev) {
        ev.preventDefault();
        history.replaceState(null, "", "#t=" + cue.start);
        seek(audio, cue.start, true);
      });
    });
    var langs = section.querySelector(".transcript-langs");
    if (langs) {
      langs.hidden = false;
      var buttons = langs.querySelectorAll("button[data-show]");
      buttons.forEach(function (b) {
        b.addEventListener("click", function () {
          section.dataset.show = b.dataset.show;
          buttons.forEach(function (o) { o.setAttribute("aria-pressed", o === b ? "true" : "false"); });
        });
      });
    }
  }

  function players() {
    var figure = document.querySelector("[data-player]");
    if (!figure) return;
    var audio = figure.querySelector("audio");
    var wave = figure.querySelector(".wave");
    if (wave) drawWave(wave, audio);
    var section = document.querySelector("[data-transcript]");
    if (section) transcript(section, audio);
    var t = hashTime();
    if (t !== null) seek(audio, t, false);
    window.addEventListener("hashchange", function () {
      var t = hashTime();
      if (t !== null) seek(audio, t, true);
    });
  }

  /* 大字: larger type and stronger contrast, remembered on this phone (localStorage, no
   * cookie); the class is set at the top of this file. */
  function largeType() {
    var button = document.querySelector("[data-large-type]");
    if (!button) return;
    var root = document.documentElement;
    button.hidden = false;
    button.setAttribute("aria-pressed", root.classList.contains("large") ? "true" : "false");
    button.addEventListener("click", function () {
      var on = root.classList.toggle("large");
      button.setAttribute("aria-pressed", on ? "true" : "false");
      try { if (on) localStorage.setItem("mha-large", "1"); else localStorage.removeItem("mha-large"); } catch (e) {}
    });
  }

  /* 朗读: the phone's own speech synthesis reads the item's title and text aloud, in the
   * page's language. No server, no download; without speechSynthesis the button never shows. */
  function readAloud() {
    var box = document.querySelector("[data-read-aloud]");
    var synth = window.speechSynthesis;
    if (!box || !synth || !window.SpeechSynthesisUtterance) return;
    var button = box.querySelector("button");
    var lang = document.documentElement.lang === "en" ? "en-GB" : "zh-CN";
    box.hidden = false;
    function text() {
      var parts = [];
      document.querySelectorAll(box.dataset.readAloud).forEach(function (el) {
        var t = (el.innerText || "").trim();
        if (t) parts.push(t);
      });
      return parts.join("。\n");
    }
    function voice() {
      var voices = synth.getVoices() || [];
      var want = lang.toLowerCase();
      return voices.filter(function (v) { return v.lang && v.lang.replace("_", "-").toLowerCase() === want; })[0] ||
        voices.filter(function (v) { return v.lang && v.lang.toLowerCase().indexOf(want.slice(0, 2)) === 0; })[0] || null;
    }
    function stopped() {
      button.setAttribute("aria-pressed", "false");
      button.textContent = box.dataset.labelStart;
    }
    button.addEventListener("click", function () {
      if (synth.speaking || button.getAttribute("aria-pressed") === "true") {
        synth.cancel();
        stopped();
        return;
      }
      var u = new SpeechSynthesisUtterance(text());
      u.lang = lang;
      var v = voice();
      if (v) u.voice = v;
      u.rate = 0.9;
      u.onend = stopped;
      u.onerror = stopped;
      button.setAttribute("aria-pressed", "true");
      button.textContent = box.dataset.labelStop;
      synth.speak(u);
    });
  }

  /* The caption chooser under a player: one uploaded track at a time (a Miao variety,
   * Chinese, English…). A video shows it itself; under a recording, the line being said is
   * written out as it plays. */
  function captions() {
    document.querySelectorAll("[data-captions]").forEach(function (box) {
      var media = box.previousElementSibling;
      while (media && !/^(AUDIO|VIDEO)$/.test(media.tagName)) media = media.previousElementSibling;
      if (!media || !media.textTracks) return;
      var select = box.querySelector("select");
      var line = box.querySelector(".caption-line");
      var elements = media.querySelectorAll("track[data-caption-track]");
      box.hidden = false;
      function show(track) {
        var cues = track && track.activeCues;
        var text = [];
        for (var i = 0; cues && i < cues.length; i++) text.push(cues[i].text);
        line.textContent = text.join("\n");
      }
      select.addEventListener("change", function () {
        line.textContent = "";
        if (select.value) {
          for (var i = 0; i < media.textTracks.length; i++) media.textTracks[i].mode = "disabled";
        }
        elements.forEach(function (el) {
          var chosen = el.dataset.captionTrack === select.value;
          el.track.oncuechange = chosen ? function () { show(el.track); } : null;
          if (chosen) line.lang = el.srclang;
          el.track.mode = chosen ? (media.tagName === "VIDEO" ? "showing" : "hidden") : "disabled";
        });
      });
    });
  }

  /* The offline copy (static/js/sw.js): pages and media opened once open again offline. */
  function offline() {
    if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  }

  function start() {
    document.documentElement.classList.add("js");
    tapToLoad();
    lazyImages();
    players();
    captions();
    largeType();
    readAloud();
    offline();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
