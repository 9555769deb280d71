/* Site script: counts a read on article pages, and runs the article page's reader tools
 * (字号 remembered across pages, 打印, 复制链接, 返回顶部).
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

  var FONT_KEY = "portal.fontSize";
  var FONT_SIZES = ["large", "medium", "small"];

  function storedFontSize() {
    try {
      var size = window.localStorage.getItem(FONT_KEY);
      return FONT_SIZES.indexOf(size) >= 0 ? size : "medium";
    } catch (e) {
      return "medium"; /* storage blocked: the default size */
    }
  }

  function applyFontSize(size) {
    document.documentElement.setAttribute("data-font-size", size);
    var buttons = document.querySelectorAll("[data-font-size]");
    for (var i = 0; i < buttons.length; i++) {
      if (buttons[i].tagName === "BUTTON") {
        buttons[i].setAttribute("aria-pressed", String(buttons[i].getAttribute("data-font-size") === size));
      }
    }
  }

  function say(text) {
    var status = document.querySelector("[data-tool-status]");
    if (status) {
      status.textContent = text;
    }
  }

  function readerTools() {
    applyFontSize(storedFontSize());
    document.documentElement.classList.add("js"); /* shows the .js-only tools */
    document.addEventListener("click", function (event) {
      var target = event.target.closest ? event.target.closest("button") : null;
      if (!target) {
        return;
      }
      if (target.hasAttribute("data-font-size")) {
        var size = target.getAttribute("data-font-size");
        try {
          window.localStorage.setItem(FONT_KEY, size);
        } catch (e) {
          /* not remembered, still applied */
        }
        applyFontSize(size);
      } else if (target.hasAttribute("data-print")) {
        window.print();
      } else if (target.hasAttribute("data-copy-link")) {
        var link = target.getAttribute("data-copy-link");
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(link).then(
            function () { say("链接已复制"); },
            function () { say("请手动复制：" + link); }
          );
        } else {
          say("请手动复制：" + link);
        }
      }
    });
    var top = document.querySelector("[data-back-to-top]");
    if (top) {
      var update = function () {
        top.hidden = window.scrollY < window.innerHeight * 1.5;
      };
      window.addEventListener("scroll", update, { passive: true });
      update();
    }
  }

  function start() {
    countView();
    readerTools();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
