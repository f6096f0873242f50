// The calendar's drag and drop: dropping an activity on a day (or an hour of the week view)
// posts the move to the server, which answers with the calendar redrawn.
(function () {
  "use strict";
  let dragged = null;

  function cell(target) {
    return target instanceof Element ? target.closest("[data-drop-day]") : null;
  }

  function clearMarks() {
    document.querySelectorAll(".is-dragging, .is-drop-target").forEach(function (el) {
      el.classList.remove("is-dragging", "is-drop-target");
    });
  }

  document.addEventListener("dragstart", function (event) {
    const chip = event.target instanceof Element ? event.target.closest("[data-activity][draggable=true]") : null;
    if (!chip) return;
    dragged = chip.dataset.activity;
    event.dataTransfer.setData("text/plain", dragged);
    event.dataTransfer.effectAllowed = "move";
    chip.classList.add("is-dragging");
  });

  document.addEventListener("dragend", function () {
    dragged = null;
    clearMarks();
  });

  document.addEventListener("dragover", function (event) {
    const target = cell(event.target);
    if (!target || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".is-drop-target").forEach(function (el) {
      if (el !== target) el.classList.remove("is-drop-target");
    });
    target.classList.add("is-drop-target");
  });

  document.addEventListener("drop", function (event) {
    const target = cell(event.target);
    const id = dragged || (event.dataTransfer && event.dataTransfer.getData("text/plain"));
    if (!target || !id) return;
    event.preventDefault();
    dragged = null;
    clearMarks();
    const root = document.getElementById("calendar");
    const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    window.htmx.ajax("POST", root.dataset.moveUrl.replace("/0/", "/" + encodeURIComponent(id) + "/"), {
      target: "#calendar",
      swap: "outerHTML",
      headers: headers,
      values: {
        day: target.dataset.dropDay,
        hour: target.dataset.dropHour || "",
        view: root.dataset.view,
        date: root.dataset.date,
        who: root.dataset.who,
      },
    });
  });
})();
