// A lesson page: a clip plays only its span; a transcript line seeks its clip.
(function () {
  "use strict";
  document.querySelectorAll("audio[data-start], video[data-start]").forEach(function (m) {
    var start = parseFloat(m.dataset.start), end = parseFloat(m.dataset.end);
    m.addEventListener("timeupdate", function () { if (m.currentTime >= end) m.pause(); });
    m.addEventListener("play", function () {
      if (m.currentTime < start || m.currentTime >= end) m.currentTime = start;
    });
  });
  document.addEventListener("click", function (e) {
    var a = e.target.closest("[data-seek]");
    if (!a) return;
    var m = a.closest(".source").querySelector("audio, video");
    if (!m) return;
    e.preventDefault();
    m.currentTime = parseFloat(a.dataset.seek);
    m.play();
  });
})();
