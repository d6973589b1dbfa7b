// Passkeys (WebAuthn) as a second factor: add one, sign in with one, confirm a sensitive action
// with one (rebond/accounts/passkeys.py). A static file under the strict Content-Security-Policy:
// no inline script, no eval.
//
// The server sends the WebAuthn options as JSON, binary values in base64url; the browser wants
// ArrayBuffers, and gives back a credential of ArrayBuffers that the server reads as base64url
// JSON. PublicKeyCredential.parseCreationOptionsFromJSON and credential.toJSON() do this in
// recent browsers only, so the small helpers below do it everywhere.
//
// Progressive: every passkey control is hidden in the HTML and shown here only when the browser
// has window.PublicKeyCredential; without it (or without JavaScript) the page offers the code
// from the authenticator app, which always works. Errors are written into a live region
// (role="alert") next to the control.
(function () {
  "use strict";

  // --- base64url <-> ArrayBuffer ------------------------------------------------------------
  function bufferFromBase64url(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var binary = window.atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function base64urlFromBuffer(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptorsFromJSON(list) {
    return (list || []).map(function (descriptor) {
      var copy = { type: descriptor.type, id: bufferFromBase64url(descriptor.id) };
      if (descriptor.transports) {
        copy.transports = descriptor.transports;
      }
      return copy;
    });
  }

  // --- options from the server's JSON ---------------------------------------------------------
  function creationOptionsFromJSON(json) {
    var options = Object.assign({}, json);
    options.challenge = bufferFromBase64url(json.challenge);
    options.user = Object.assign({}, json.user, { id: bufferFromBase64url(json.user.id) });
    options.excludeCredentials = descriptorsFromJSON(json.excludeCredentials);
    return options;
  }

  function requestOptionsFromJSON(json) {
    var options = Object.assign({}, json);
    options.challenge = bufferFromBase64url(json.challenge);
    options.allowCredentials = descriptorsFromJSON(json.allowCredentials);
    return options;
  }

  // --- the credential as JSON for the server ----------------------------------------------------
  function registrationToJSON(credential) {
    var response = credential.response;
    var transports = typeof response.getTransports === "function" ? response.getTransports() : [];
    return {
      id: credential.id,
      rawId: base64urlFromBuffer(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      response: {
        clientDataJSON: base64urlFromBuffer(response.clientDataJSON),
        attestationObject: base64urlFromBuffer(response.attestationObject),
        transports: transports,
      },
      clientExtensionResults: credential.getClientExtensionResults(),
    };
  }

  function assertionToJSON(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: base64urlFromBuffer(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      response: {
        clientDataJSON: base64urlFromBuffer(response.clientDataJSON),
        authenticatorData: base64urlFromBuffer(response.authenticatorData),
        signature: base64urlFromBuffer(response.signature),
        userHandle: response.userHandle ? base64urlFromBuffer(response.userHandle) : null,
      },
      clientExtensionResults: credential.getClientExtensionResults(),
    };
  }

  function create(optionsJSON) {
    return navigator.credentials
      .create({ publicKey: creationOptionsFromJSON(optionsJSON) })
      .then(registrationToJSON);
  }

  function get(optionsJSON) {
    return navigator.credentials
      .get({ publicKey: requestOptionsFromJSON(optionsJSON) })
      .then(assertionToJSON);
  }

  // The same conversions, for the tests that record real authenticator data with them.
  window.rebondPasskeys = { create: create, get: get };

  // --- the pages ------------------------------------------------------------------------------
  // In the page's language: gettext() is the scripts' catalogue, loaded before this file.
  var MESSAGES = {
    NotAllowedError: gettext(
      "The passkey was not used: the request was cancelled or took too long. Try again, or use the code from your authenticator app.",
    ),
    InvalidStateError: gettext("This passkey is already set up for your account."),
    SecurityError: gettext(
      "Passkeys cannot be used at this address. Open Rebond at its usual address and try again.",
    ),
    AbortError: gettext("The passkey request was cancelled. Try again."),
  };
  var FALLBACK = gettext(
    "Your browser could not use a passkey. Try again, or use the code from your authenticator app.",
  );
  var NETWORK = gettext("Rebond could not be reached. Check your connection and try again.");

  function showError(form, message) {
    var region = form.querySelector("[data-passkey-error]");
    if (region) {
      // Emptied first, so the same message said twice is announced twice.
      region.textContent = "";
      window.setTimeout(function () {
        region.textContent = message;
      }, 50);
    }
  }

  // A field in error names the live region among its descriptions, so it is read with it.
  function markInvalid(form, field) {
    var region = form.querySelector("[data-passkey-error]");
    field.setAttribute("aria-invalid", "true");
    if (region && region.id) {
      var ids = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (ids.indexOf(region.id) < 0) {
        ids.push(region.id);
      }
      field.setAttribute("aria-describedby", ids.join(" "));
    }
    field.focus();
  }

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // Ask the server for fresh options (a new single-use challenge).
  function fetchOptions(form, extra) {
    var body = new URLSearchParams(extra || {});
    return window
      .fetch(form.getAttribute("data-passkey-options"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(form), Accept: "application/json" },
        body: body,
      })
      .then(
        function (response) {
          return response.json().then(
            function (data) {
              return { ok: response.ok, data: data };
            },
            function () {
              return { ok: false, data: {} };
            }
          );
        },
        function () {
          throw { passkeyMessage: NETWORK };
        }
      )
      .then(function (answer) {
        if (answer.data.redirect) {
          // The confirmation went stale: confirm again, then come back here.
          window.location.assign(answer.data.redirect);
          throw { passkeyMessage: "" };
        }
        if (!answer.ok) {
          throw { passkeyMessage: answer.data.error || FALLBACK, field: answer.data.field };
        }
        return answer.data.options;
      });
  }

  function messageFor(error) {
    if (error && typeof error.passkeyMessage === "string") {
      return error.passkeyMessage;
    }
    return (error && MESSAGES[error.name]) || FALLBACK;
  }

  // One ceremony at a time: a second press while the browser's dialog is open does nothing.
  function run(form, button, ceremony) {
    if (form.getAttribute("aria-busy") === "true") {
      return;
    }
    form.setAttribute("aria-busy", "true");
    button.disabled = true;
    showError(form, "");
    ceremony()
      .then(function (credentialJSON) {
        form.querySelector("[data-passkey-credential]").value = JSON.stringify(credentialJSON);
        form.submit();
      })
      .catch(function (error) {
        form.removeAttribute("aria-busy");
        button.disabled = false;
        var message = messageFor(error);
        if (message) {
          showError(form, message);
        }
        if (error && error.field) {
          var field = form.querySelector("[name=" + error.field + "]");
          if (field) {
            markInvalid(form, field);
          }
        }
      });
  }

  // Add a passkey (settings): the name goes with the options request, checked there first, so a
  // bad name is said before the browser asks for the passkey.
  function wireRegistration(form) {
    var button = form.querySelector("[data-passkey-button]");
    var name = form.querySelector("[name=name]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!name.value.trim()) {
        // The server says the same; said here, the empty name costs no round trip.
        markInvalid(form, name);
        showError(form, gettext("Give the passkey a name, such as the device it is on."));
        return;
      }
      name.removeAttribute("aria-invalid");
      run(form, button, function () {
        return fetchOptions(form, { name: name.value }).then(create);
      });
    });
  }

  // Sign in with a passkey (after the password), or confirm an action with one. On the
  // re-authenticate page the password is part of the same form, and asked for first.
  function wireAuthentication(form) {
    var button = form.querySelector("[data-passkey-button]");
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var password = form.querySelector("input[type=password]");
      if (password && !password.value) {
        markInvalid(form, password);
        showError(form, gettext("Enter your password, then choose Confirm with a passkey."));
        return;
      }
      if (password) {
        password.removeAttribute("aria-invalid");
      }
      run(form, button, function () {
        return fetchOptions(form).then(get);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var supported = typeof window.PublicKeyCredential === "function" && !!navigator.credentials;
    document.querySelectorAll("[data-passkey-unsupported]").forEach(function (note) {
      note.hidden = supported;
    });
    if (!supported) {
      return;
    }
    document.querySelectorAll("[data-passkey-supported]").forEach(function (element) {
      element.hidden = false;
    });
    document.querySelectorAll("form[data-passkey=register]").forEach(wireRegistration);
    document.querySelectorAll("form[data-passkey=authenticate]").forEach(wireAuthentication);
  });
})();
