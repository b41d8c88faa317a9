// The customer's status page keeps itself current without reloading: every 30 s while the page is in view it asks
// for the page again and, only when what it says has changed, puts the new content in place and says so quietly
// to a screen reader. A reload would move the reader and the scroll position (WCAG 2.2.1); without JavaScript the
// <noscript> refresh in the head does the same job. Each ask carries the version of the page shown
// (If-None-Match): while nothing changed the server answers 304 without building the page. The page is never
// stored on the phone (no-store), so the header is sent by hand rather than left to the browser's cache.
(function () {
  'use strict';
  var body = document.body;
  var every = parseInt(body.getAttribute('data-refresh') || '0', 10) * 1000;
  if (!every || !window.fetch || !window.DOMParser) return;
  var said = document.getElementById('status-updated');
  var shown = body.getAttribute('data-version');
  var version = shown ? '"' + shown + '"' : null;

  function current() { return document.querySelector('main'); }

  function poll() {
    if (document.hidden) return;
    var headers = version ? {'If-None-Match': version} : {};
    fetch(window.location.href, {cache: 'no-store', credentials: 'same-origin', headers: headers}).then(function (resp) {
      if (resp.status === 304) return null;                          // unchanged
      if (!resp.ok) { window.clearInterval(timer); return null; }   // revoked, expired or limited: stop asking
      version = resp.headers.get('ETag') || version;
      return resp.text();
    }).then(function (html) {
      if (!html) return;
      var fresh = new DOMParser().parseFromString(html, 'text/html');
      var main = fresh.querySelector('main');
      if (!main || main.innerHTML === current().innerHTML) return;
      current().innerHTML = main.innerHTML;
      if (!fresh.body.hasAttribute('data-refresh')) window.clearInterval(timer);   // handed back: nothing moves
      if (said) said.textContent = said.getAttribute('data-text');
    }).catch(function () { /* offline for a moment: try again next time */ });
  }

  var timer = window.setInterval(poll, every);
  document.addEventListener('visibilitychange', function () { if (!document.hidden) poll(); });
}());
