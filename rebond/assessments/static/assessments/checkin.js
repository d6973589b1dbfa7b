// Autosave for a check-in (SECURITY.md RL-01, RL-10, HD-05).
//
// Each answer is sent to the server-side draft as soon as it is chosen, one request at a time
// and in the order chosen. An answer the server has not confirmed is held in this page's memory
// only (never localStorage, sessionStorage, IndexedDB, Cache Storage or a cookie), retried with
// exponential backoff capped at 10 s, and shown as "Not saved yet"; "Saved" appears only once
// the server has committed it. Leaving the page while anything is unsent asks first. The final
// "Finish" is the ordinary form post, which carries every answer and the server-issued
// submission key, so it works the same without this script and a double click creates nothing.
// Its messages come from Django's JavaScript catalogue (gettext, interpolate), loaded first.
(function () {
  "use strict";

  var form = document.querySelector("form[data-autosave-url]");
  if (!form) {
    return;
  }
  var url = form.getAttribute("data-autosave-url");
  var tokenInput = form.querySelector("input[name=csrfmiddlewaretoken]");
  var token = tokenInput ? tokenInput.value : "";
  var total = Number(form.getAttribute("data-total")) || 0;
  var progress = form.querySelector("[data-progress]");
  var howSaved = form.querySelector("[data-howsaved]");
  var FIRST_DELAY = 1000;
  var MAX_DELAY = 10000;
  var RETRY_TEXT = gettext("Not saved yet — will retry");

  var items = {}; // item number -> {wanted, saved, status}
  var queue = []; // item numbers waiting to be sent, oldest change first
  var inFlight = false;
  var attempt = 0; // failed attempts in a row; > 0 while waiting to retry
  var timer = null;
  var submitting = false;

  if (howSaved) {
    howSaved.textContent = gettext(
      "Each answer is saved as you go. You can stop and come back later."
    );
  }

  function show(item, text, kind) {
    if (item.status) {
      item.status.textContent = text;
      item.status.className = "checkin-status" + (kind ? " checkin-status--" + kind : "");
    }
  }

  function updateProgress() {
    if (!progress) {
      return;
    }
    var answered = form.querySelectorAll("fieldset[data-item] input[type=radio]:checked").length;
    progress.textContent = interpolate(
      gettext("%(answered)s of %(total)s answered"),
      { answered: answered, total: total },
      true
    );
  }

  function isUnsent(number) {
    return items[number].wanted !== items[number].saved;
  }

  function enqueue(number) {
    if (queue.indexOf(number) === -1) {
      queue.push(number);
    }
  }

  function retryLater() {
    attempt += 1;
    var delay = Math.min(MAX_DELAY, FIRST_DELAY * Math.pow(2, attempt - 1));
    queue.forEach(function (number) {
      show(items[number], RETRY_TEXT, "pending");
    });
    timer = window.setTimeout(function () {
      timer = null;
      pump();
    }, delay);
  }

  function pump() {
    if (inFlight || timer !== null) {
      return;
    }
    while (queue.length && !isUnsent(queue[0])) {
      show(items[queue[0]], gettext("Saved"), "saved");
      queue.shift();
    }
    if (!queue.length) {
      return;
    }
    var number = queue[0];
    var item = items[number];
    var value = item.wanted;
    var body = new URLSearchParams();
    body.set("item", number);
    body.set("value", value === null ? "" : value);
    inFlight = true;
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      cache: "no-store",
      headers: { "X-CSRFToken": token, Accept: "application/json" },
    })
      .then(function (response) {
        // Read the body to its end, so the request is finished before the next one starts.
        return response.text().then(function () {
          return response;
        });
      })
      .then(function (response) {
        inFlight = false;
        if (response.ok) {
          attempt = 0;
          item.saved = value;
          if (!isUnsent(number)) {
            queue.splice(queue.indexOf(number), 1);
            show(item, gettext("Saved"), "saved");
          }
          pump();
        } else if (response.status >= 500 || response.status === 408 || response.status === 429) {
          retryLater();
        } else {
          // The server refused this answer (a closed check-in, an ended session): retrying
          // cannot help. The choice stays on screen, and "Finish" still posts it.
          queue.splice(queue.indexOf(number), 1);
          show(item, gettext("Not saved — please reload the page"), "error");
          pump();
        }
      })
      .catch(function () {
        inFlight = false;
        retryLater();
      });
  }

  form.querySelectorAll("fieldset[data-item]").forEach(function (fieldset) {
    var number = fieldset.getAttribute("data-item");
    var checked = fieldset.querySelector("input[type=radio]:checked");
    var saved = fieldset.getAttribute("data-saved");
    items[number] = {
      wanted: checked ? checked.value : null,
      saved: saved ? saved : null,
      status: fieldset.querySelector("[data-status]"),
    };
    // A choice shown but not yet in the draft (a form sent back with a problem) is sent now.
    if (isUnsent(number)) {
      enqueue(number);
    }
  });
  pump();

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "radio") {
      return;
    }
    var fieldset = input.closest("fieldset[data-item]");
    if (!fieldset) {
      return;
    }
    var number = fieldset.getAttribute("data-item");
    items[number].wanted = input.value;
    updateProgress();
    enqueue(number);
    show(items[number], attempt > 0 ? RETRY_TEXT : gettext("Saving…"), "pending");
    pump();
  });

  window.addEventListener("online", function () {
    if (timer !== null) {
      window.clearTimeout(timer);
      timer = null;
    }
    attempt = 0;
    pump();
  });

  form.addEventListener("submit", function () {
    submitting = true;
  });

  window.addEventListener("beforeunload", function (event) {
    var unsent = Object.keys(items).some(isUnsent);
    if (!submitting && unsent) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
