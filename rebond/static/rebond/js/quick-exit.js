// Quick exit: leave for a neutral site and replace this page in the history, so that the
// Back button does not bring it back. Pressing Escape twice within a second does the same.
// Without JavaScript the control is an ordinary link (rel="noreferrer").
(function () {
  "use strict";
  var ESCAPE_WINDOW_MS = 1000;
  var lastEscape = 0;

  function leave(url) {
    // Hide the page at once, then replace the history entry with the neutral site.
    document.documentElement.classList.add("is-leaving");
    window.location.replace(url);
  }

  function exitUrl() {
    var link = document.querySelector("[data-quick-exit]");
    return link ? link.href : null;
  }

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("[data-quick-exit]") : null;
    if (!link) {
      return;
    }
    event.preventDefault();
    leave(link.href);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var url = exitUrl();
    if (!url) {
      return;
    }
    var time = Date.now();
    if (time - lastEscape <= ESCAPE_WINDOW_MS) {
      leave(url);
    }
    lastEscape = time;
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-quick-exit-hint]").forEach(function (hint) {
      hint.hidden = false;
    });
  });
})();
