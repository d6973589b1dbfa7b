// The consultation request form: show the clinic's crisis resources as soon as someone
// answers "No" or "Not sure" to "Do you feel safe at home right now?", without a round trip.
// The server shows them too, on every response to a submission that said so.
(function () {
  "use strict";
  var UNSAFE = ["no", "not_sure"];

  function update(question, panel) {
    var checked = question.querySelector("input[type=radio]:checked");
    panel.hidden = !(checked && UNSAFE.indexOf(checked.value) !== -1);
  }

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
