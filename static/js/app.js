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
      if (files.length > Number(input.dataset.maxFiles)) {
        message = input.dataset.tooMany;
      } else if (total > Number(input.dataset.maxTotalMb) * mb ||
                 files.some(function (f) { return f.size > Number(input.dataset.maxFileMb) * mb; })) {
        message = input.dataset.tooLarge;
      }
      input.setCustomValidity(message);
      if (warning) { warning.textContent = message; warning.hidden = !message; }
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
});
