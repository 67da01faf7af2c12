// The boards page, live: the server sends the rendered board whenever it changes (SSE).
(function () {
  var live = document.querySelector('[data-live]');
  if (!live || !window.EventSource) return;
  var note = document.getElementById('live-note');
  var source = new EventSource(live.getAttribute('data-live'));
  source.addEventListener('board', function (e) {
    var board = document.getElementById('board');
    if (board) board.outerHTML = e.data;
  });
  source.onopen = function () { if (note) note.textContent = 'Live: the board changes here as facts are decided.'; };
  source.onerror = function () { if (note) note.textContent = 'Live updates paused; reconnecting…'; };
})();
