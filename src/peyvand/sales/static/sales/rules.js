// A rule's value is asked in the field its kind needs (a lead field, a source, a province,
// a number of days): show only that one. Without this script every field shows, and the
// server still reads only the one the kind needs.
(function () {
  "use strict";
  document.querySelectorAll("[data-rule-form]").forEach(function (form) {
    const kind = form.querySelector("[data-kind-select] select");
    if (!kind) return;
    function show() {
      form.querySelectorAll("[data-for-kinds]").forEach(function (box) {
        box.hidden = box.dataset.forKinds !== kind.value;
      });
    }
    kind.addEventListener("change", show);
    show();
  });
})();
