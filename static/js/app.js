// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // One click, one report: disable submit buttons once a form is sent (the server also dedupes).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        setTimeout(function () { b.disabled = true; }, 0);
      });
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });

  // Show the real-name fields only for real-name reports, the reward box only for tip-offs.
  // Hidden fields keep their values, so switching back loses nothing.
  function toggle(name, value, selector) {
    var box = document.querySelector(selector);
    var radios = document.querySelectorAll("input[name=" + name + "]");
    if (!box || !radios.length) return;
    function update() {
      var checked = document.querySelector("input[name=" + name + "]:checked");
      box.hidden = !checked || checked.value !== value;
    }
    radios.forEach(function (r) { r.addEventListener("change", update); });
    update();
  }
  toggle("identity", "real_name", "[data-real-name]");
  toggle("kind", "tip", "[data-tip-only]");
});
