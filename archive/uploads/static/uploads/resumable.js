// The admin's large-file uploader: each file is sent with tus (tus-js-client) in pieces, and
// a dropped link, a closed laptop or a reloaded page resumes where the server says it
// stopped. Without JavaScript (or without tus-js-client) the ordinary form above is used.
(function () {
  "use strict";
  var box = document.querySelector("[data-resumable]");
  if (!box || !window.tus || !window.tus.isSupported) return;
  var text = JSON.parse(document.getElementById("resumable-text").textContent);
  var form = document.querySelector("[data-upload-form]");
  var input = box.querySelector("input[type=file]");
  var list = box.querySelector("[data-resumable-list]");
  box.hidden = false;

  function field(name) {
    var el = form.querySelector("[name=" + name + "]");
    return el ? el.value : "";
  }

  function megabytes(n) {
    return (n / 1048576).toFixed(1) + " MB";
  }

  function start(file) {
    var item = field("item");
    var row = document.createElement("li");
    var name = document.createElement("strong");
    var bar = document.createElement("progress");
    var state = document.createElement("span");
    var toggle = document.createElement("button");
    name.textContent = file.name;
    bar.max = file.size || 1;
    bar.value = 0;
    toggle.type = "button";
    toggle.className = "button button-small button-secondary";
    toggle.textContent = text.pause;
    state.setAttribute("role", "status");
    row.append(name, " ", bar, " ", state, " ", toggle);
    list.append(row);
    if (!item) {
      state.textContent = text.choose_item;
      toggle.remove();
      return;
    }
    var running = true;
    var upload = new window.tus.Upload(file, {
      endpoint: box.dataset.endpoint,
      chunkSize: 8 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000, 60000, 60000],
      headers: { "X-CSRFToken": box.dataset.csrf },
      metadata: { filename: file.name, item: item, access_level: field("access_level") },
      removeFingerprintOnSuccess: true,
      // The same file sent to another item is another upload.
      fingerprint: function (f) {
        return Promise.resolve(["mha", item, f.name, f.size, f.lastModified].join("-"));
      },
      onProgress: function (sent, total) {
        bar.value = sent;
        state.textContent = text.sent.replace("{sent}", megabytes(sent)).replace("{total}", megabytes(total));
      },
      onShouldRetry: function () {
        state.textContent = text.retrying;
        return true;
      },
      onError: function () {
        running = false;
        toggle.textContent = text.resume;
        state.textContent = text.stopped;
      },
      onSuccess: function () {
        toggle.remove();
        state.textContent = text.checking;
        fetch(upload.url, { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (done) {
            if (done.status === "stored") {
              state.textContent = "✓ " + text.stored + " SHA-256 " + done.sha256.slice(0, 12) + "…";
              var link = document.createElement("a");
              link.href = done.asset_url;
              link.textContent = text.asset;
              row.append(" ", link);
              if (done.similar.length) {
                var warn = document.createElement("div");
                warn.className = "help-block help-warning";
                warn.dataset.lookAlikes = "";
                warn.append(text.looks_like + " ");
                done.similar.forEach(function (s, i) {
                  var a = document.createElement("a");
                  a.href = s.url;
                  a.textContent = s.identifier + " " + s.title;
                  warn.append(i ? "、" : "", a);
                });
                row.append(warn);
              }
            } else {
              state.textContent = "✗ " + text.refused + " " + done.error;
            }
            row.dataset.status = done.status;
          });
      },
    });
    toggle.addEventListener("click", function () {
      if (running) {
        upload.abort();
        running = false;
        toggle.textContent = text.resume;
        state.textContent = text.paused;
      } else {
        running = true;
        toggle.textContent = text.pause;
        upload.start();
      }
    });
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    });
  }

  input.addEventListener("change", function () {
    Array.prototype.forEach.call(input.files, start);
    input.value = "";
  });
})();
