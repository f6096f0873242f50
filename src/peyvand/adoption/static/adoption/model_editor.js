// The readiness model editor: add and remove factors and statements. Rows carry their own
// numbers in their field names (factor-2-statement-5-fa); new rows take the next free ones.
(() => {
  const form = document.querySelector("[data-testid=model-editor]");
  if (!form) return;
  const factors = form.querySelector("[data-factors]");
  const factorTemplate = form.querySelector("template[data-factor-template]").innerHTML;
  const statementTemplate = form.querySelector("template[data-statement-template]").innerHTML;
  let nextFactor = 1 + Math.max(-1, ...[...factors.querySelectorAll("[data-factor]")].map((f) => Number(f.dataset.factor)));
  let nextStatement = 1000;  // above any row the page was drawn with

  const addStatement = (factor) => {
    const html = statementTemplate.replaceAll("__F__", factor.dataset.factor).replaceAll("__S__", String(nextStatement++));
    factor.querySelector("[data-statements]").insertAdjacentHTML("beforeend", html);
    factor.querySelector("[data-statements] tr:last-child textarea").focus();
  };

  form.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.hasAttribute("data-add-factor")) {
      factors.insertAdjacentHTML("beforeend", factorTemplate.replaceAll("__F__", String(nextFactor++)));
      const added = factors.lastElementChild;
      addStatement(added);
      added.querySelector("input").focus();
    } else if (button.hasAttribute("data-add-statement")) {
      addStatement(button.closest("[data-factor]"));
    } else if (button.hasAttribute("data-remove-statement")) {
      button.closest("[data-statement]").remove();
    } else if (button.hasAttribute("data-remove-factor")) {
      button.closest("[data-factor]").remove();
    }
  });
})();
