// Walk-around: a tap on the car outline places a mark where it landed (as a percentage of the
// drawing), and a chosen photo uploads at once. Without this script the outline still works as an
// image button (the server reads the pixel click) and photos upload with their button.
(function () {
  document.addEventListener('click', function (e) {
    var img = e.target.closest('input.outline');
    if (!img) return;
    var box = img.getBoundingClientRect();
    var form = img.form;
    form.querySelector('input[name=x]').value = ((e.clientX - box.left) * 100 / box.width).toFixed(2);
    form.querySelector('input[name=y]').value = ((e.clientY - box.top) * 100 / box.height).toFixed(2);
    if (window.htmx) {
      e.preventDefault();
      htmx.trigger(form, 'submit');
    }
  });
  document.addEventListener('change', function (e) {
    if (e.target.matches('input.autosubmit') && e.target.files.length) {
      if (window.htmx) htmx.trigger(e.target.form, 'submit'); else e.target.form.submit();
    }
  });
})();
