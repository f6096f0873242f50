// The rule form shows only what the chosen trigger and each action's type need, and only
// the fields, dates and stages of the chosen kind of record (the page works without it too).
(function () {
  "use strict";
  const form = document.getElementById("rule-form");
  if (!form) return;
  const recordType = form.querySelector("[name=record_type]");
  const trigger = form.querySelector("[name=trigger]");

  function kindLabel() {
    return recordType.options[recordType.selectedIndex].text;
  }

  function filterGroups() {
    form.querySelectorAll("select optgroup").forEach(function (group) {
      const mine = group.label === kindLabel();
      group.hidden = !mine;
      group.disabled = !mine;
    });
  }

  function showTrigger() {
    form.querySelectorAll("[data-show-for]").forEach(function (el) {
      el.hidden = el.dataset.showFor.split(" ").indexOf(trigger.value) < 0;
    });
  }

  function showActions() {
    form.querySelectorAll("[data-testid=action-row]").forEach(function (row) {
      const type = row.querySelector("select[name$='-type']").value;
      row.querySelectorAll("[data-action]").forEach(function (el) {
        el.hidden = el.dataset.action !== type;
      });
    });
  }

  recordType.addEventListener("change", filterGroups);
  trigger.addEventListener("change", showTrigger);
  form.addEventListener("change", function (event) {
    if (event.target.name && event.target.name.endsWith("-type")) showActions();
  });
  filterGroups();
  showTrigger();
  showActions();
})();
