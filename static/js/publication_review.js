/* The reviewer selects text in the original decision to redact it: the selection's offsets in the issued
   text (each segment carries data-start) fill the hidden form, which posts start/end/kind. Without
   JavaScript the "hide every occurrence of this text" form does the same job. No inline script (CSP). */
(function () {
  "use strict";
  var original = document.getElementById("original-text");
  var form = document.getElementById("selection-form");
  if (!original || !form) {
    return;
  }

  function offsetOf(node, offset) {
    var element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    while (element && element !== original && !element.hasAttribute("data-start")) {
      element = element.parentElement;
    }
    if (!element || element === original) {
      return null;
    }
    return parseInt(element.getAttribute("data-start"), 10) + offset;
  }

  document.addEventListener("selectionchange", function () {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
      return;
    }
    var range = selection.getRangeAt(0);
    if (!original.contains(range.startContainer) || !original.contains(range.endContainer)) {
      return;
    }
    var start = offsetOf(range.startContainer, range.startOffset);
    var end = offsetOf(range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) {
      return;
    }
    document.getElementById("sel-start").value = start;
    document.getElementById("sel-end").value = end;
    document.getElementById("sel-text").textContent = selection.toString();
    form.hidden = false;
  });
})();
