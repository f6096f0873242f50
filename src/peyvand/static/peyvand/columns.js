// The column picker of lists: "move up" / "move down" move a column's line in the form, so the
// ticked columns are sent in that order. The focus stays on the button pressed.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-column-picker] [data-move]");
    if (!button) return;
    var line = button.closest("li");
    if (button.dataset.move === "up" && line.previousElementSibling) {
      line.parentNode.insertBefore(line, line.previousElementSibling);
    } else if (button.dataset.move === "down" && line.nextElementSibling) {
      line.parentNode.insertBefore(line.nextElementSibling, line);
    }
    button.focus();
  });
})();
