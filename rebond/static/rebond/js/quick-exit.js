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

  // Keep room for the button (app.css reads --quick-exit-bottom): its height changes with the
  // text size and the width of the screen. A style property set from script is not an inline
  // style attribute, so the Content-Security-Policy allows it.
  function reserveRoom() {
    var control = document.querySelector(".quick-exit");
    if (control) {
      var bottom = Math.ceil(control.getBoundingClientRect().bottom);
      document.documentElement.style.setProperty("--quick-exit-bottom", bottom + "px");
    }
  }

  // A focused element must never sit under the quick exit or above the window (WCAG 2.4.11):
  // the browser does not scroll an element that is still partly in view, so scroll it clear.
  // Only for the keyboard: what a finger or mouse presses is in view, and scrolling between
  // the press and the release would turn the tap into a click on something else.
  var pointing = false;
  document.addEventListener("pointerdown", function () { pointing = true; }, true);
  document.addEventListener("keydown", function () { pointing = false; }, true);
  document.addEventListener("focusin", function (event) {
    var control = document.querySelector(".quick-exit");
    var target = event.target;
    if (pointing || !control || !(target instanceof Element) || control.contains(target)) {
      return;
    }
    var exit = control.getBoundingClientRect();
    var box = target.getBoundingClientRect();
    var clear = exit.bottom + 8;
    var beside = box.right <= exit.left || box.left >= exit.right;
    if (box.top < 0 || (!beside && box.top < clear)) {
      window.scrollBy(0, box.top - (beside ? 8 : clear));
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-quick-exit-hint]").forEach(function (hint) {
      hint.hidden = false;
    });
    reserveRoom();
  });
  window.addEventListener("resize", reserveRoom);
})();
