// The customer's signature, drawn with a finger, a pen or a mouse on the technician's screen
// and sent as a PNG with the form. Nothing drawn: nothing sent, and the server says so.
(function () {
  "use strict";
  document.querySelectorAll("form[data-signature]").forEach(function (form) {
    const canvas = form.querySelector("canvas");
    const field = form.querySelector("input[name=signature]");
    const context = canvas.getContext("2d");
    let drawing = false;
    let drawn = false;

    function fit() {
      const ratio = window.devicePixelRatio || 1;
      canvas.width = Math.round(canvas.clientWidth * ratio);
      canvas.height = Math.round(200 * ratio);
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.lineWidth = 2.5;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#111";
      drawn = false;
    }

    function point(event) {
      const box = canvas.getBoundingClientRect();
      return [event.clientX - box.left, event.clientY - box.top];
    }

    canvas.style.touchAction = "none"; // a stroke draws; it does not scroll the page
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      const [x, y] = point(event);
      context.beginPath();
      context.moveTo(x, y);
      context.lineTo(x + 0.1, y + 0.1);
      context.stroke();
      drawn = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      const [x, y] = point(event);
      context.lineTo(x, y);
      context.stroke();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () {
        drawing = false;
      });
    });
    form.querySelector("[data-signature-clear]").addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
    });
    form.addEventListener("submit", function () {
      field.value = drawn ? canvas.toDataURL("image/png") : "";
    });
    fit();
  });
})();
