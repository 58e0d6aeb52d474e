/* A confirmation before irreversible actions (签发, 归档, 阶段变更): any submit button or form carrying
   data-confirm="..." asks first. Without JavaScript the action simply goes ahead (the server still checks
   everything), so the pages keep working. No inline script: CSP forbids it. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter || null;
    var message = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (!message) {
      return;
    }
    if (!window.confirm(message)) {
      event.preventDefault();
      return;
    }
    // One submission only: a double click must not post twice.
    if (form.dataset.submitted === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "1";
    if (button) {
      button.setAttribute("aria-disabled", "true");
      button.classList.add("is-busy");
    }
  });
})();
