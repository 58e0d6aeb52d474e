// Refreshes the case-file progress fragment (templates/recording/casefile_progress.html) while the case file
// is being built; once it is done or failed the page is reloaded to show the download links or the reason.
(function () {
  "use strict";
  function watch(box) {
    var url = box.getAttribute("data-casefile-progress");
    if (!url) return;
    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (state) {
          if (!state) return;
          var bar = box.querySelector("progress");
          var pct = box.querySelector(".casefile-percent");
          var label = box.querySelector(".casefile-status");
          if (bar) bar.value = state.progress;
          if (pct) pct.textContent = state.progress + "%";
          if (label) label.textContent = state.status_label;
          if (state.status === "building" || state.status === "pending") {
            window.setTimeout(poll, 1500);
          } else {
            window.location.reload();
          }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, 1500);
  }
  document.querySelectorAll("[data-casefile-progress]").forEach(function (box) {
    var status = box.getAttribute("data-status");
    if (status === "building" || status === "pending") watch(box);
  });
})();
