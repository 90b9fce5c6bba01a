// The draw-a-digit page: draws with pointer events (mouse, pen, touch), sends the canvas as a PNG to
// POST /predict while drawing (one request at a time, the latest drawing wins), and shows the answer.
'use strict';
(function () {
  const pad = document.getElementById('pad');
  const ctx = pad.getContext('2d');
  const answer = document.getElementById('answer');
  const status = document.getElementById('status');
  const bars = document.getElementById('bars');
  const upload = document.getElementById('upload');
  const rows = [];

  for (let d = 0; d < 10; d++) {
    const li = document.createElement('li');
    li.dataset.digit = String(d);
    li.innerHTML = '<span class="digit">' + d + '</span><span class="track"><span class="fill"></span></span>'
      + '<span class="pct">0%</span>';
    bars.appendChild(li);
    rows.push(li);
  }

  function clear() {
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, pad.width, pad.height);
    dirty = false;
    show(null);
  }

  // Drawing
  let drawing = false;
  let last = null;
  function at(e) {
    const r = pad.getBoundingClientRect();
    return { x: (e.clientX - r.left) * pad.width / r.width, y: (e.clientY - r.top) * pad.height / r.height };
  }
  function stroke(from, to) {
    ctx.strokeStyle = '#000';
    ctx.lineWidth = 20;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
  }
  pad.addEventListener('pointerdown', (e) => {
    drawing = true;
    last = at(e);
    stroke(last, last);
    pad.setPointerCapture(e.pointerId);
    e.preventDefault();
  });
  pad.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    const p = at(e);
    stroke(last, p);
    last = p;
    changed();
  });
  function end() {
    if (!drawing) return;
    drawing = false;
    changed();
  }
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);

  // Asking the server: at most one request in flight; a change meanwhile sends the newest drawing after it.
  let busy = false;
  let dirty = false;
  function changed() {
    dirty = true;
    if (!busy) send();
  }
  function send() {
    dirty = false;
    busy = true;
    pad.toBlob((blob) => post(blob, 'image/png'), 'image/png');
  }
  function post(body, type) {
    busy = true;
    fetch('/predict', { method: 'POST', headers: { 'Content-Type': type }, body: body })
      .then((r) => r.json().then((j) => ({ ok: r.ok, j: j })))
      .then(({ ok, j }) => { if (ok) show(j); else fail(j.error || 'the server refused the picture'); })
      .catch((e) => fail('no answer from the server (' + e.message + ')'))
      .finally(() => { busy = false; if (dirty) send(); });
  }

  function show(j) {
    status.textContent = '';
    status.classList.remove('error');
    const p = j && j.probabilities ? j.probabilities : null;
    answer.textContent = j === null ? '–' : (j.blank ? 'blank' : String(j.digit));
    if (j && j.blank) status.textContent = 'No ink yet: draw a digit.';
    rows.forEach((li, d) => {
      const v = p ? p[d] : 0;
      li.querySelector('.fill').style.width = (100 * v).toFixed(1) + '%';
      li.querySelector('.pct').textContent = (100 * v).toFixed(v >= 0.995 || v < 0.0005 ? 0 : 1) + '%';
      li.classList.toggle('best', !!(j && !j.blank && j.digit === d));
      li.setAttribute('aria-label', d + ': ' + (100 * v).toFixed(1) + ' percent');
    });
  }
  function fail(message) {
    status.textContent = message;
    status.classList.add('error');
  }

  document.getElementById('clear').addEventListener('click', () => { clear(); pad.focus(); });
  // Escape or Delete on the drawing area clears it as well.
  pad.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' || e.key === 'Delete' || e.key === 'Backspace') { clear(); e.preventDefault(); }
  });

  // An uploaded picture is shown on the canvas, fitted and centred, and goes to the server as it is (preprocessed
  // there like `mlp4j predict` does); one larger than the server takes (1024 pixels a side) is scaled down here
  // first, keeping its shape. Drawing on it afterwards sends the canvas.
  const MAX_SIDE = 1024;
  upload.addEventListener('change', () => {
    const file = upload.files && upload.files[0];
    if (!file) return;
    upload.value = '';
    const url = URL.createObjectURL(file);
    const img = new Image();
    img.onload = () => {
      URL.revokeObjectURL(url);
      clear();
      const iw = img.naturalWidth;
      const ih = img.naturalHeight;
      const s = Math.min(pad.width / iw, pad.height / ih);
      ctx.drawImage(img, (pad.width - iw * s) / 2, (pad.height - ih * s) / 2, iw * s, ih * s);
      if (Math.max(iw, ih) <= MAX_SIDE) {
        post(file, file.type || 'image/png');
        return;
      }
      const k = MAX_SIDE / Math.max(iw, ih);
      const small = document.createElement('canvas');
      small.width = Math.max(1, Math.round(iw * k));
      small.height = Math.max(1, Math.round(ih * k));
      small.getContext('2d').drawImage(img, 0, 0, small.width, small.height);
      small.toBlob((blob) => post(blob, 'image/png'), 'image/png');
    };
    img.onerror = () => { URL.revokeObjectURL(url); fail(file.name + ' is not a picture this page can read'); };
    img.src = url;
  });

  clear();
}());
