// The "Miao pronunciation" buttons beside vocabulary terms: the recording is fetched only
// when tapped (its <audio> says preload="none"). Loaded once per button, bound once.
(function () {
  if (window.mhaPronounce) return;
  window.mhaPronounce = true;
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".pron-play") : null;
    if (!button) return;
    var audio = document.getElementById(button.getAttribute("aria-controls"));
    if (!audio) return;
    if (audio.paused) {
      audio.currentTime = 0;
      audio.play();
    } else {
      audio.pause();
    }
  });
})();
