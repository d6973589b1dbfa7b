/* The API documentation page (interop/api_docs.html): accessible names for the buttons that
   django-ninja's copy of Swagger UI draws without one (WCAG 4.1.2, axe button-name), and
   names that hide the button's visible text (2.5.3, axe label-content-name-mismatch: the
   "Authorize" button is announced "Apply credentials"). Swagger UI draws its parts as the
   reader opens them, so each new part is named as it appears. */
(function () {
  "use strict";
  const root = document.getElementById("swagger-ui");
  if (!root) return;

  function nameButtons() {
    root.querySelectorAll("button.close-modal:not([aria-label])").forEach(function (button) {
      button.setAttribute("aria-label", gettext("Close dialog"));
    });
    root.querySelectorAll(".copy-to-clipboard button:not([aria-label])").forEach(function (button) {
      button.setAttribute("aria-label", gettext("Copy to clipboard"));
    });
    // Without the label, a button is named by its own text, as a speech-input user says it.
    root.querySelectorAll("button[aria-label]").forEach(function (button) {
      const text = button.textContent.trim();
      if (text && !button.getAttribute("aria-label").includes(text)) {
        button.removeAttribute("aria-label");
      }
    });
  }

  // Only added and removed elements are watched, so naming one never wakes the observer.
  new MutationObserver(nameButtons).observe(root, { childList: true, subtree: true });
  nameButtons();
})();
