/* Site script: counts a read on article pages.
 *
 * Pages may come from a shared cache, so the count cannot be done while rendering: this asks
 * the counter once per page view and shows the number it answers. Crawlers that run scripts are
 * told apart on the server by their User-Agent. */
(function () {
  "use strict";

  function countView() {
    var article = document.querySelector("[data-view-url]");
    if (!article || !window.fetch) {
      return;
    }
    fetch(article.getAttribute("data-view-url"), {
      method: "POST",
      credentials: "omit",
      keepalive: true,
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        var shown = document.querySelector("[data-view-count]");
        if (data && shown && typeof data.view_count === "number") {
          shown.textContent = String(data.view_count);
        }
      })
      .catch(function () {
        /* offline or blocked: the number on the page stays as rendered */
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", countView);
  } else {
    countView();
  }
})();
