// The consultation request form: show the clinic's crisis resources as soon as someone
// answers "No" or "Not sure" to "Do you feel safe at home right now?", without a round trip.
// The server shows them too, on every response to a submission that said so.
//
// When the browser brings the page back from its back-forward cache (Back after "Leave this
// site", issue 15 C13), empty it before it shows: nothing typed or chosen may reappear for
// whoever holds the phone next. The emptied form gets a new idempotency key, so that what is
// typed into it afterwards is a new request, not a repeat of the one already sent.
(function () {
  "use strict";
  var UNSAFE = ["no", "not_sure"];

  function update(question, panel) {
    var checked = question.querySelector("input[type=radio]:checked");
    panel.hidden = !(checked && UNSAFE.indexOf(checked.value) !== -1);
  }

  function newKey() {
    var bytes = new Uint8Array(24);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  function empty(form) {
    form.querySelectorAll("input, textarea, select").forEach(function (field) {
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = false;
      } else if (field.hasAttribute("data-submission-key")) {
        field.value = newKey();
      } else if (field.type !== "hidden" && field.type !== "submit") {
        field.value = "";
      }
    });
    // Errors and the crisis panel described what had been typed: they go with it.
    document.querySelectorAll("[data-error-summary], .field-error").forEach(function (node) {
      node.remove();
    });
    form.querySelectorAll("[aria-invalid]").forEach(function (field) {
      field.removeAttribute("aria-invalid");
    });
    document.querySelectorAll("[data-crisis-panel]").forEach(function (panel) {
      panel.hidden = true;
    });
  }

  window.addEventListener("pageshow", function (event) {
    var form = document.querySelector("[data-request-form]");
    if (event.persisted && form) {
      empty(form);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var question = document.querySelector("[data-safety-question]");
    var panel = document.querySelector("[data-crisis-panel]");
    if (!question || !panel) {
      return;
    }
    question.addEventListener("change", function () {
      update(question, panel);
    });
    update(question, panel);

    // After a submission with errors, move focus to the summary so it is read out first.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  });
})();
