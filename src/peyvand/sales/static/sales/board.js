// The deals kanban: drag a card to another stage. The move goes through the API's
// /deals/{id}/move, the same service as the deal's form; the server decides, and the card
// goes back where it was if the move is refused. Works the same in RTL: columns follow
// the page's direction and nothing here depends on left or right.
(function () {
  "use strict";
  const board = document.querySelector("[data-board]");
  if (!board) return;
  const lostStages = JSON.parse(board.dataset.lostStages || "[]");
  const status = document.getElementById("board-status");
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  let dragged = null;

  function say(text) { if (status) status.textContent = text; }

  // Counts and totals are the server's (a column shows its largest cards, not all, and
  // amounts are in the base currency, maybe as Toman): after a move, read them again from
  // the board itself, with the same filters, and put them in place.
  async function refreshHeads() {
    const response = await fetch(window.location.href, { credentials: "same-origin" });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    fresh.querySelectorAll("[data-board] [data-stage]").forEach(function (column) {
      const here = board.querySelector('[data-stage="' + column.dataset.stage + '"]');
      if (!here) return;
      ["[data-count]", "[data-total]"].forEach(function (selector) {
        const source = column.querySelector(selector);
        const target = here.querySelector(selector);
        if (source && target) target.replaceChildren(...Array.from(source.childNodes));
      });
    });
  }

  async function move(card, column, origin, next) {
    const stageId = Number(column.dataset.stage);
    let reason = "";
    if (lostStages.includes(stageId)) {
      reason = window.prompt(board.dataset.askReason) || "";
      if (!reason.trim()) { origin.insertBefore(card, next); return; }
    }
    card.classList.add("is-moving");
    try {
      const response = await fetch(board.dataset.moveUrl.replace("{id}", card.dataset.deal), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept-Language": document.documentElement.lang },
        body: JSON.stringify({ stage_id: stageId, lost_reason: reason }),
      });
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        throw new Error((body.error && body.error.message) || board.dataset.failed);
      }
      say(board.dataset.moved.replace("{stage}", column.dataset.stageName));
      await refreshHeads();
    } catch (error) {
      origin.insertBefore(card, next);
      say(error.message);
      window.alert(error.message);
    } finally {
      card.classList.remove("is-moving");
    }
  }

  board.addEventListener("dragstart", function (event) {
    const card = event.target instanceof Element ? event.target.closest("[data-deal]") : null;
    if (!card) return;
    if (card.getAttribute("draggable") !== "true") {  // the user may not move this deal
      event.preventDefault();
      return;
    }
    dragged = { card: card, origin: card.parentElement, next: card.nextElementSibling };
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.deal);
    card.classList.add("is-dragging");
  });
  board.addEventListener("dragend", function () {
    if (dragged) dragged.card.classList.remove("is-dragging");
    board.querySelectorAll(".is-over").forEach((zone) => zone.classList.remove("is-over"));
  });
  board.addEventListener("dragover", function (event) {
    const zone = event.target instanceof Element ? event.target.closest("[data-stage]") : null;
    if (!zone || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    zone.classList.add("is-over");
  });
  board.addEventListener("dragleave", function (event) {
    const zone = event.target instanceof Element ? event.target.closest("[data-stage]") : null;
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("is-over");
  });
  board.addEventListener("drop", function (event) {
    const column = event.target instanceof Element ? event.target.closest("[data-stage]") : null;
    if (!column || !dragged) return;
    event.preventDefault();
    column.classList.remove("is-over");
    const { card, origin, next } = dragged;
    dragged = null;
    const cards = column.querySelector("[data-dropzone]");
    if (cards === origin) return;
    cards.prepend(card);
    move(card, column, origin, next);
  });
})();
