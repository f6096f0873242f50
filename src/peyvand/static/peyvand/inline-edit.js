// Inline editing on lists: a cell with data-inline-url and data-inline-field changes that one
// field through the API (the same service, checks and audit log as the record's form), then
// its row is drawn again by the server. Errors come back translated and stay beside the field.
(function () {
  "use strict";

  function csrfToken() {
    const found = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return found ? decodeURIComponent(found[1]) : "";
  }

  function button(icon, label, kind) {
    const b = document.createElement("button");
    b.type = kind === "save" ? "submit" : "button";
    b.className = kind === "save" ? "btn btn-sm btn-primary" : "btn btn-sm btn-outline-secondary";
    b.setAttribute("aria-label", label);
    b.title = label;
    const i = document.createElement("i");
    i.className = "bi " + icon;
    b.append(i);
    return b;
  }

  function field(cell) {
    const data = cell.dataset;
    let input;
    if (data.inlineType === "select") {
      input = document.createElement("select");
      input.className = "form-select form-select-sm";
      for (const [value, label] of JSON.parse(data.inlineChoices || "[]")) {
        input.append(new Option(label, value, false, String(value) === data.inlineValue));
      }
    } else {
      input = document.createElement("input");
      input.className = "form-control form-control-sm";
      input.type = "text";
      input.value = data.inlineValue || "";
      if (data.inlineType === "date") {
        input.dir = "ltr";
        // Typed, not picked: the picker's own Enter would choose its highlighted day.
        input.placeholder = data.inlinePlaceholder || "";
      }
    }
    input.name = data.inlineField;
    input.setAttribute("aria-label", data.inlineLabel || data.inlineField);
    return input;
  }

  async function redraw(cell) {
    const row = cell.closest("tr[id]");
    const page = await fetch(window.location.href, { credentials: "same-origin" });
    const fresh = row && new DOMParser().parseFromString(await page.text(), "text/html").getElementById(row.id);
    if (fresh) row.replaceWith(fresh);
    else window.location.reload();
  }

  function open(cell) {
    if (cell.querySelector("form.inline-edit")) return;
    const shown = Array.from(cell.childNodes);
    const form = document.createElement("form");
    form.className = "inline-edit d-flex flex-wrap gap-1 align-items-start";
    form.noValidate = true;
    const input = field(cell);
    const error = document.createElement("div");
    error.className = "invalid-feedback w-100";
    error.setAttribute("role", "alert");
    const cancel = button("bi-x-lg", cell.dataset.inlineCancel || "Cancel", "cancel");
    form.append(input, button("bi-check-lg", cell.dataset.inlineSave || "Save", "save"), cancel, error);
    cell.replaceChildren(form);
    input.focus();

    const close = () => cell.replaceChildren(...shown);
    cancel.addEventListener("click", close);
    form.addEventListener("keydown", (event) => { if (event.key === "Escape") close(); });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      form.querySelectorAll("button, input, select").forEach((el) => { el.disabled = true; });
      let answer;
      try {
        answer = await fetch(cell.dataset.inlineUrl, {
          method: "PATCH",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            "Accept-Language": document.documentElement.lang,
            "X-CSRFToken": csrfToken(),
          },
          body: JSON.stringify({
            [cell.dataset.inlineField]: cell.dataset.inlineNumeric === "1" ? Number(input.value) : input.value,
          }),
        });
      } catch (_networkError) {
        answer = null;
      }
      form.querySelectorAll("button, input, select").forEach((el) => { el.disabled = false; });
      if (answer && answer.ok) {
        await redraw(cell);
        return;
      }
      let message = cell.dataset.inlineFailed || "Not saved.";
      try {
        const body = await answer.json();
        const mine = (body.error.fields || []).find((f) => f.field === cell.dataset.inlineField);
        message = (mine || body.error).message || message;
      } catch (_notJson) { /* keep the general message */ }
      input.classList.add("is-invalid");
      error.textContent = message;
      input.focus();
    });
  }

  document.addEventListener("click", (event) => {
    const trigger = event.target.closest("[data-inline-open]");
    if (trigger) open(trigger.closest("[data-inline-url]"));
  });
})();
