// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // One click, one report: disable submit buttons once a form is sent (the server also dedupes).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      // After the other handlers ran: a submit they stopped must leave the button usable.
      setTimeout(function () {
        if (event.defaultPrevented) return;
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });

  // The receipt's copy button: "label: value" lines of the marked elements, to the clipboard.
  // Without scripts the button stays hidden and the number and key are plain text to select.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var status = document.getElementById("copy-status");
    function say(text) { if (status) status.textContent = text; }
    function fallback(text) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      return ok;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var lines = Array.prototype.map.call(document.querySelectorAll(button.dataset.copy), function (el) {
        return el.dataset.copyLabel + ": " + el.textContent.replace(/\s+/g, "");
      });
      var text = lines.join("\n");
      var done = function () { say(button.dataset.copied); };
      var failed = function () { say(fallback(text) ? button.dataset.copied : button.dataset.copyFailed); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, failed);
      } else {
        failed();
      }
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });

  // Show the real-name fields only for real-name reports, the reward box only for tip-offs.
  // Hidden text fields keep their values, so switching back loses nothing; boxes ticked inside
  // a box that the citizen hides are cleared (clearTicks), or the server would refuse a tick
  // nobody can see. A box holding an error stays visible so the error can be fixed.
  function toggle(name, value, selector, clearTicks) {
    var box = document.querySelector(selector);
    var radios = document.querySelectorAll("input[name=" + name + "]");
    if (!box || !radios.length) return;
    function update(event) {
      var checked = document.querySelector("input[name=" + name + "]:checked");
      var off = !checked || checked.value !== value;
      if (off && clearTicks && event) {
        box.querySelectorAll("input[type=checkbox]").forEach(function (c) {
          c.checked = false;
          c.classList.remove("is-invalid");
          c.removeAttribute("aria-invalid");
        });
        box.querySelectorAll(".invalid-feedback").forEach(function (e) { e.remove(); });
      }
      box.hidden = off && !box.querySelector(".is-invalid");
    }
    radios.forEach(function (r) { r.addEventListener("change", update); });
    update();
  }
  toggle("identity", "real_name", "[data-real-name]");

  // Warn about too many or too large files before sending: a request over the server's limit is
  // refused whole (413), and the browser would drop what the citizen typed.
  document.querySelectorAll("input[type=file][data-max-file-mb]").forEach(function (input) {
    var warning = input.parentElement.querySelector("[data-upload-warning]");
    var mb = 1024 * 1024;
    function check() {
      var files = Array.prototype.slice.call(input.files || []);
      var total = files.reduce(function (sum, f) { return sum + f.size; }, 0);
      var message = "";
      // A staged file whose "keep" box is unticked frees its place.
      var freed = input.form ? input.form.querySelectorAll("input[name=keep_staged]:not(:checked)").length : 0;
      if (files.length > Number(input.dataset.maxFiles) + freed) {
        message = input.dataset.tooMany;
      } else if (total > Number(input.dataset.maxTotalMb) * mb ||
                 files.some(function (f) { return f.size > Number(input.dataset.maxFileMb) * mb; })) {
        message = input.dataset.tooLarge;
      }
      input.setCustomValidity(message);
      // A live region, never hidden: it is announced when the text changes.
      if (warning) warning.textContent = message;
    }
    input.addEventListener("change", check);
    if (input.form) {
      input.form.addEventListener("submit", function (event) {
        check();
        if (input.validationMessage) { event.preventDefault(); input.focus(); }
      });
    }
  });
  toggle("kind", "tip", "[data-tip-only]", true);
  toggle("kind", "complaint", "[data-complaint-only]", true);
  toggle("kind", "complaint", "[data-complaint-note]");

  // After a failed submit, start at the list of problems (autofocus does it without scripts,
  // but not after every kind of navigation).
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  // District first, then street: without scripts the street list holds every street grouped
  // by district; here it narrows to the chosen district's streets. Choosing a street while no
  // district is chosen picks its district.
  var district = document.querySelector("select[name=district]");
  var street = document.querySelector("select[name=street]");
  if (district && street) {
    var placeholder = street.options[0].cloneNode(true);
    var groups = Array.prototype.slice.call(street.querySelectorAll("optgroup")).map(function (g) {
      return g.cloneNode(true);
    });
    var narrow = function () {
      var chosen = street.value;
      street.textContent = "";
      street.appendChild(placeholder.cloneNode(true));
      groups.forEach(function (group) {
        var options = group.querySelectorAll("option");
        if (!district.value) {
          street.appendChild(group.cloneNode(true));
        } else if (options.length && options[0].dataset.district === district.value) {
          options.forEach(function (o) { street.appendChild(o.cloneNode(true)); });
        }
      });
      street.value = chosen;
      if (street.value !== chosen) street.value = "";
    };
    district.addEventListener("change", narrow);
    street.addEventListener("change", function () {
      var option = street.options[street.selectedIndex];
      if (!district.value && option && option.dataset.district) {
        district.value = option.dataset.district;
        narrow();
      }
    });
    narrow();
  }
});
