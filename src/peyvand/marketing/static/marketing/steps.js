// The step editor: show only the parts of the form the chosen kind of step uses.
(() => {
  const form = document.querySelector("[data-testid=step-form]");
  if (!form) return;
  const kind = form.querySelector("select[name=kind]");
  const show = () => form.querySelectorAll("[data-step-part]").forEach((part) => {
    part.hidden = !part.dataset.stepPart.split(" ").includes(kind.value);
  });
  kind.addEventListener("change", show);
  show();
})();
