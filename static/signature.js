// A small signature pad: finger or pen on a canvas; the drawing goes into the form as a PNG data URL.
(function () {
  function setup(pad) {
    var canvas = pad.querySelector('canvas');
    var field = pad.closest('form').querySelector('input[name=' + pad.dataset.target + ']');
    var ctx = canvas.getContext('2d');
    var drawing = false, drawn = false;
    ctx.lineWidth = 3; ctx.lineCap = 'round'; ctx.strokeStyle = '#111';
    function point(e) {
      var r = canvas.getBoundingClientRect();
      return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
    }
    canvas.addEventListener('pointerdown', function (e) {
      drawing = true; canvas.setPointerCapture(e.pointerId);
      var p = point(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]);
    });
    canvas.addEventListener('pointermove', function (e) {
      if (!drawing) return;
      var p = point(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); drawn = true;
    });
    function end() {
      if (!drawing) return;
      drawing = false;
      if (drawn) field.value = canvas.toDataURL('image/png');
    }
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    pad.querySelector('.sig-clear').addEventListener('click', function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height); field.value = ''; drawn = false;
    });
  }
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('.sigpad').forEach(setup);
  });
})();
