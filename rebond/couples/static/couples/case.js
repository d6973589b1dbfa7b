// The case page: htmx swaps a form re-rendered with its errors (422) like a success, and then
// moves focus to the first field in error, or to the confirmation, so keyboard and screen
// reader users land where the page changed. Without JavaScript the forms post and redirect.
(function () {
  "use strict";

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var id = target && target.id;
    var section = id ? document.getElementById(id) : null;
    if (!section || section.tagName !== "SECTION") {
      return;
    }
    var focusable = section.querySelector('[aria-invalid="true"]');
    if (!focusable) {
      focusable = section.querySelector('[role="alert"], [role="status"]');
      if (focusable) {
        focusable.setAttribute("tabindex", "-1");
      }
    }
    if (focusable) {
      focusable.focus();
    }
  });
})();
