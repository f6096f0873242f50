// The dispatch board's drag and drop: a visit dropped on a technician's day (or back on the
// pile) is posted to the server, which answers with the board redrawn, or says why not.
(function () {
  "use strict";
  let dragged = null;

  function target(element) {
    return element instanceof Element ? element.closest("[data-drop-day], [data-drop-pile]") : null;
  }

  function clearMarks() {
    document.querySelectorAll(".is-dragging, .is-drop-target").forEach(function (el) {
      el.classList.remove("is-dragging", "is-drop-target");
    });
  }

  document.addEventListener("dragstart", function (event) {
    const card = event.target instanceof Element ? event.target.closest("[data-work][draggable=true]") : null;
    if (!card) return;
    dragged = card.dataset.work;
    event.dataTransfer.setData("text/plain", dragged);
    event.dataTransfer.effectAllowed = "move";
    card.classList.add("is-dragging");
  });

  document.addEventListener("dragend", function () {
    dragged = null;
    clearMarks();
  });

  document.addEventListener("dragover", function (event) {
    const place = target(event.target);
    if (!place || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".is-drop-target").forEach(function (el) {
      if (el !== place) el.classList.remove("is-drop-target");
    });
    place.classList.add("is-drop-target");
  });

  document.addEventListener("drop", function (event) {
    const place = target(event.target);
    const id = dragged || (event.dataTransfer && event.dataTransfer.getData("text/plain"));
    if (!place || !id) return;
    event.preventDefault();
    dragged = null;
    clearMarks();
    const board = document.getElementById("board");
    const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    const values = { start: board.dataset.start };
    if (place.hasAttribute("data-drop-pile")) {
      values.unschedule = "on";
    } else {
      values.technician = place.dataset.dropTechnician;
      values.day = place.dataset.dropDay;
    }
    window.htmx.ajax("POST", board.dataset.moveUrl.replace("/0/", "/" + encodeURIComponent(id) + "/"), {
      target: "#board",
      swap: "outerHTML",
      headers: headers,
      values: values,
    });
  });
})();
