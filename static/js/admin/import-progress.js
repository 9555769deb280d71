/* The progress bar of a background import (admin/hitech_portal/importrecord/progress.html):
   asks the record's state every second and moves the bar; once the check or the import has
   ended, the page reloads to show the preview or the result. The page itself is the state: a
   reload starts from it again. */
"use strict";
{
  const POLL_MS = 1000;

  function follow(box) {
    const bar = document.getElementById("import-progress");
    const percent = document.getElementById("import-percent");
    const status = document.getElementById("import-status");
    const poll = async () => {
      try {
        const response = await fetch(box.dataset.statusUrl, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (response.ok) {
          const state = await response.json();
          bar.value = state.percent;
          bar.textContent = percent.textContent = `${state.percent}%`;
          status.textContent = state.status_display;
          if (state.finished || state.waiting || state.stale) {
            window.location.reload();
            return;
          }
        }
      } catch (error) {
        // The server may be restarting: try again at the next tick.
      }
      window.setTimeout(poll, POLL_MS);
    };
    window.setTimeout(poll, POLL_MS);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const box = document.querySelector(".import-job[data-status-url]");
    if (box && box.dataset.finished !== "true") {
      follow(box);
    }
  });
}
