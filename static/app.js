// ServiceBay's only script: tell people when a tap did not reach the server, in place.
// htmx keeps the form's content; the user taps again to retry.
(function () {
  function say(text) {
    var area = document.getElementById('flash');
    if (!area) return;
    var p = document.createElement('p');
    p.className = 'flash error';
    p.setAttribute('role', 'alert');
    p.textContent = text;
    area.replaceChildren(p);
  }
  document.addEventListener('htmx:sendError', function () { say(document.body.dataset.msgOffline); });
  document.addEventListener('htmx:timeout', function () { say(document.body.dataset.msgOffline); });
})();
