// The wall turns its own pages when the shop has more cars than one screen holds (app/board/layout.py):
// every card carries its page; this shows one page at a time, in turn, and keeps the page across the
// board's live updates (htmx swaps the whole #board). Without this script the wall shows page 1.
(function () {
  var current = 0;

  function show() {
    var board = document.getElementById('board');
    if (!board || !board.dataset.pages) return;
    var pages = parseInt(board.dataset.pages, 10) || 1;
    if (current >= pages) current = 0;
    board.querySelectorAll('.bcard[data-page]').forEach(function (card) {
      card.hidden = parseInt(card.dataset.page, 10) !== current;
    });
    var n = board.querySelector('.pager-n');
    if (n) n.textContent = String(current + 1);
    board.querySelectorAll('.pager-dot').forEach(function (dot, i) { dot.classList.toggle('on', i === current); });
    board.dataset.showing = String(current);
  }

  function turn() {
    var board = document.getElementById('board');
    if (!board || !board.dataset.pages) return;
    var pages = parseInt(board.dataset.pages, 10) || 1;
    current = pages > 1 ? (current + 1) % pages : 0;
    show();
  }

  document.addEventListener('DOMContentLoaded', function () {
    var board = document.getElementById('board');
    if (!board || !board.dataset.pages) return;
    var seconds = parseInt(board.dataset.pageSeconds, 10) || 10;
    show();
    setInterval(turn, seconds * 1000);
  });
  document.addEventListener('htmx:afterSwap', show);
  document.addEventListener('htmx:afterSettle', show);
})();
