// GET / — the upload page. One self-contained document (inline CSS and JS, no external asset, no build step):
// pick or drop an image, it is POSTed raw to /v1/classify, the top-k labels appear with score bars. A photo
// larger than SHRINK_TO on its longer side is shrunk in the browser first (canvas → JPEG) so a phone photo
// travels as ~0.3 MB, not 5 MB; the worker never relies on it: when the browser cannot decode the file, the
// original bytes go as they are and the worker's own answer (e.g. unsupported_format) is shown.
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>resnet-edge</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2330; background: #f6f7f9; }
  main { max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
  h1 { font-size: 1.4rem; margin-bottom: .2rem; }
  #drop { display: block; border: 2px dashed #9aa3b5; border-radius: .6rem; padding: 2rem; text-align: center; background: #fff; cursor: pointer; }
  #drop.over { border-color: #2f6fde; background: #eef4ff; }
  #preview { max-width: 100%; max-height: 14rem; margin-top: 1rem; image-rendering: pixelated; display: none; }
  #status { min-height: 1.4em; margin: 1rem 0 .5rem; color: #55607a; }
  #status.error { color: #b3261e; }
  .row { display: grid; grid-template-columns: 9rem 1fr 4rem; gap: .6rem; align-items: center; margin: .35rem 0; }
  .bar { height: .9rem; background: #e3e7ef; border-radius: .45rem; overflow: hidden; }
  .bar > span { display: block; height: 100%; background: #2f6fde; }
  .score { text-align: right; font-variant-numeric: tabular-nums; }
  small { color: #55607a; }
</style>
</head>
<body>
<main>
  <h1>resnet-edge</h1>
  <p><small>An int8 ResNet classifying your image at the edge. Nothing but this page and <code>POST /v1/classify</code>.</small></p>
  <label id="drop" for="file">Drop an image here, or click to pick one (JPEG, PNG or WebP)
    <input id="file" type="file" accept="image/jpeg,image/png" hidden>
  </label>
  <img id="preview" alt="the uploaded image">
  <p id="status" role="status"></p>
  <section id="predictions" aria-label="predictions"></section>
  <p><small id="meta"></small></p>
</main>
<script>
  const drop = document.getElementById('drop');
  const input = document.getElementById('file');
  const statusEl = document.getElementById('status');
  const list = document.getElementById('predictions');
  const meta = document.getElementById('meta');
  const preview = document.getElementById('preview');

  function setStatus(text, isError) {
    statusEl.textContent = text;
    statusEl.className = isError ? 'error' : '';
  }

  // Labels come from the model's manifest: rendered with textContent only, never as HTML.
  function render(result) {
    list.replaceChildren();
    for (const p of result.predictions) {
      const row = document.createElement('div');
      row.className = 'row prediction';
      const label = document.createElement('span');
      label.className = 'label';
      label.textContent = p.label;
      const bar = document.createElement('div');
      bar.className = 'bar';
      const fill = document.createElement('span');
      fill.style.width = (Math.max(0, Math.min(1, p.score)) * 100).toFixed(1) + '%';
      bar.append(fill);
      const score = document.createElement('span');
      score.className = 'score';
      score.textContent = (p.score * 100).toFixed(1) + '%';
      row.append(label, bar, score);
      list.append(row);
    }
    meta.textContent = 'model ' + result.model.name + '@' + result.model.version;
  }

  // Far above any model's input, so the worker's resize still sees more pixels than it keeps.
  const SHRINK_TO = 1600;

  // The photo shrunk to SHRINK_TO on its longer side as a JPEG, or null to send the file as it is.
  async function shrink(file) {
    if (typeof createImageBitmap !== 'function') return null;
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch {
      return null;
    }
    try {
      const scale = SHRINK_TO / Math.max(bitmap.width, bitmap.height);
      if (scale >= 1) return null;
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      const ctx = canvas.getContext('2d');
      // Transparent pixels over white, as the worker composites them.
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
      return blob ? { blob, from: bitmap.width + '×' + bitmap.height, to: canvas.width + '×' + canvas.height } : null;
    } finally {
      bitmap.close();
    }
  }

  async function classify(file) {
    if (!file) return;
    preview.src = URL.createObjectURL(file);
    preview.style.display = 'block';
    list.replaceChildren();
    meta.textContent = '';
    setStatus('Classifying ' + file.name + '…', false);
    try {
      const shrunk = await shrink(file);
      if (shrunk) setStatus('Classifying ' + file.name + ' (shrunk from ' + shrunk.from + ' to ' + shrunk.to + ' in the browser)…', false);
      const response = await fetch('/v1/classify', { method: 'POST', body: shrunk ? shrunk.blob : file });
      const body = await response.json();
      if (!response.ok) throw new Error(body.error ? body.error.code + ': ' + body.error.message : 'HTTP ' + response.status);
      render(body);
      setStatus('Top ' + body.predictions.length + ' for ' + file.name + (shrunk ? ' (sent as ' + shrunk.to + ')' : ''), false);
    } catch (error) {
      setStatus(String(error.message || error), true);
    }
  }

  input.addEventListener('change', () => classify(input.files[0]));
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    classify(e.dataTransfer.files[0]);
  });
</script>
</body>
</html>
`;

export const pageRoutes = new Hono<AppEnv>().get('/', (c) => c.html(PAGE));
