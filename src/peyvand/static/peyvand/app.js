// Peyvand's small amount of browser code: date pickers, bulk selection, confirmations.
(function () {
  "use strict";

  // Once per page: the picker watches inputs added later (htmx swaps) by itself.
  function startDatePickers() {
    if (window.jalaliDatepicker && document.body.dataset.jalali === "1") {
      window.jalaliDatepicker.startWatch({
        time: true, hasSecond: false, persianDigits: true, autoReadOnlyInput: false,
        zIndex: 2000, showTodayBtn: true, showEmptyBtn: true, showCloseBtn: true,
      });
    }
  }

  // "Select all" checkboxes and the bulk action bar's counter.
  function updateBulk(form) {
    const boxes = form.querySelectorAll("input[name=ids]");
    const chosen = Array.from(boxes).filter((b) => b.checked).length;
    const counter = form.querySelector("[data-bulk-count]");
    if (counter) counter.textContent = counter.dataset.format.replace("{n}", chosen.toLocaleString(document.documentElement.lang === "fa" ? "fa-IR" : "en"));
    form.querySelectorAll("[data-bulk-action]").forEach((b) => { b.disabled = chosen === 0; });
  }

  // A read-only address to copy: focusing it selects it all.
  document.addEventListener("focusin", function (event) {
    const target = event.target;
    if (target instanceof HTMLInputElement && target.hasAttribute("data-select-on-focus")) target.select();
  });

  // A filter that applies as soon as it is chosen (no inline handler: the CSP forbids them).
  document.addEventListener("change", function (event) {
    const target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.requestSubmit();
    }
  });

  document.addEventListener("change", function (event) {
    const target = event.target;
    if (!(target instanceof HTMLInputElement)) return;
    const form = target.closest("form[data-bulk]");
    if (!form) return;
    if (target.matches("[data-select-all]")) {
      form.querySelectorAll("input[name=ids]").forEach((b) => { b.checked = target.checked; });
    }
    updateBulk(form);
  });

  // Buttons and forms that need a second thought: data-confirm="question".
  document.addEventListener("submit", function (event) {
    const form = event.target;
    const submitter = event.submitter;
    const question = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // Pickers: a search box fills a list of [data-pick] buttons; choosing one fills a hidden input.
  document.addEventListener("click", function (event) {
    const button = event.target instanceof Element ? event.target.closest("[data-pick]") : null;
    if (!button) return;
    event.preventDefault();
    const picker = button.closest("[data-picker]");
    const input = document.getElementById(picker.dataset.target);
    input.value = button.dataset.pick;
    const shown = picker.querySelector("[data-picked]");
    if (shown) { shown.textContent = button.dataset.name; shown.hidden = false; }
    const results = picker.querySelector("[data-results]");
    if (results) results.innerHTML = "";
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });

  // The top bar's search: its drop-down shows what the server found as one types; Ctrl+K
  // (or "/" outside a field) goes to it from anywhere, Escape closes it.
  document.addEventListener("htmx:afterSwap", function (event) {
    const results = event.detail.target;
    if (results.id === "top-search-results") {
      results.classList.toggle("show", results.innerHTML.trim() !== "");
    }
  });
  document.addEventListener("keydown", function (event) {
    const search = document.getElementById("top-search");
    if (!search) return;
    const typing = event.target instanceof Element && event.target.closest("input, textarea, select, [contenteditable]");
    if ((event.key === "k" && (event.ctrlKey || event.metaKey)) || (event.key === "/" && !typing)) {
      event.preventDefault();
      search.focus();
      search.select();
    } else if (event.key === "Escape" && event.target === search) {
      document.getElementById("top-search-results").classList.remove("show");
    }
  });
  document.addEventListener("click", function (event) {
    const results = document.getElementById("top-search-results");
    if (results && !(event.target instanceof Element && event.target.closest(".top-search"))) {
      results.classList.remove("show");
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    startDatePickers();
    document.querySelectorAll("form[data-bulk]").forEach(updateBulk);
  });
})();
