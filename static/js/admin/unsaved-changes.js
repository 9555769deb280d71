// The article form asks before leaving it with unsaved edits (a reload, a link, closing the tab).
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var form = document.getElementById("article_form");
  if (!form) {
    return;
  }
  var dirty = false;
  function mark() {
    dirty = true;
  }
  form.addEventListener("input", mark);
  form.addEventListener("change", mark);
  // The rich-text editor edits a contenteditable outside the form's inputs.
  document.addEventListener("keydown", function (event) {
    if (event.target && event.target.isContentEditable && form.contains(event.target)) {
      mark();
    }
  });
  form.addEventListener("submit", function () {
    dirty = false;
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
});
