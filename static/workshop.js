// The technician's phone: running clocks and the time left tick on their own; a chosen photo says so.
// Without this script the page shows the same figures as of when it was loaded, and still works.
(function () {
  function two(n) { return (n < 10 ? '0' : '') + n; }
  function hm(minutes) {
    minutes = Math.max(0, Math.floor(minutes));
    return Math.floor(minutes / 60) + ':' + two(minutes % 60);
  }
  function fill(fmt, values) {
    return fmt.replace(/\{(\w+)\}/g, function (_m, k) { return values[k]; });
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll('[data-since]').forEach(function (el) {
      var since = Date.parse(el.dataset.since);
      if (isNaN(since)) return;
      var base = parseInt(el.dataset.base || '0', 10) || 0;
      el.textContent = hm(base + (now - since) / 60000);
    });
    document.querySelectorAll('[data-until]').forEach(function (el) {
      var until = Date.parse(el.dataset.until);
      if (isNaN(until)) return;
      var mins = Math.floor((until - now) / 60000);
      var m = Math.abs(mins);
      var t = m >= 1440 ? fill(el.dataset.dh, { d: Math.floor(m / 1440), h: Math.floor(m % 1440 / 60) })
        : m >= 60 ? fill(el.dataset.hm, { h: Math.floor(m / 60), m: m % 60 }) : fill(el.dataset.m, { m: m });
      el.textContent = fill(mins >= 0 ? el.dataset.left : el.dataset.late, { t: t });
      el.classList.toggle('over', mins < 0);
    });
  }
  document.addEventListener('DOMContentLoaded', tick);
  document.addEventListener('htmx:afterSettle', tick);
  setInterval(tick, 20000);

  // The photo input hides inside its big button: say how many photos are ready to send.
  document.addEventListener('change', function (e) {
    var input = e.target;
    if (!input.matches || !input.matches('input.photo-input')) return;
    var out = input.closest('.field') && input.closest('.field').querySelector('.photo-chosen');
    if (out) out.textContent = input.files.length ? fill(input.dataset.chosen, { n: input.files.length }) : '';
  });

  // Back on the network (any answer arrived): the "no connection" message from app.js has served its purpose.
  document.addEventListener('htmx:afterRequest', function (e) {
    if (!e.detail || !e.detail.xhr || !e.detail.xhr.status) return;
    var area = document.getElementById('flash');
    var offline = document.body.dataset.msgOffline;
    if (area && offline && area.textContent.trim() === offline) area.replaceChildren();
  });

  // The card's 5-second poll failing is not a tap that failed: keep the "no connection" message for taps.
  document.addEventListener('htmx:sendError', function (e) {
    if (e.target && e.target.id === 'card-poll') e.stopImmediatePropagation();
  }, true);
  document.addEventListener('htmx:timeout', function (e) {
    if (e.target && e.target.id === 'card-poll') e.stopImmediatePropagation();
  }, true);
})();
