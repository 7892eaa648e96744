// sdrflow's browser view: spectrum, waterfall, one receiver per page. Plain JavaScript.
"use strict";
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const state = {
  rds: null, rate: 0, centre: null, fft: 2048, bins: null, dbMin: -110, dbMax: -20, rx: null,
  frames: 0, audio: [], audioChunks: 0, latencies: [], tuneClicks: [], tuneAudio: [],
  generation: 0, ctx: null, nextTime: 0, scope: null, scopeFrames: 0, log: [], restored: 0,
};
window.sdrflow = state;  // for tests and the curious

// -- colours: a 256-entry map from dark blue through green and yellow to white ---------------
const LUT = new Uint8ClampedArray(256 * 3);
for (let i = 0; i < 256; i++) {
  const t = i / 255;
  const stops = [[0, 0, 0, 20], [0.3, 0, 40, 160], [0.55, 0, 180, 120], [0.75, 230, 220, 0], [1, 255, 255, 255]];
  let k = 0;
  while (k < stops.length - 2 && t > stops[k + 1][0]) k++;
  const [t0, r0, g0, b0] = stops[k], [t1, r1, g1, b1] = stops[k + 1];
  const f = (t - t0) / (t1 - t0);
  LUT[3 * i] = r0 + f * (r1 - r0); LUT[3 * i + 1] = g0 + f * (g1 - g0); LUT[3 * i + 2] = b0 + f * (b1 - b0);
}

function si(hz) {
  const a = Math.abs(hz);
  if (a >= 1e9) return (hz / 1e9).toFixed(3).replace(/\.?0+$/, "") + " GHz";
  if (a >= 1e6) return (hz / 1e6).toFixed(3).replace(/\.?0+$/, "") + " MHz";
  if (a >= 1e3) return (hz / 1e3).toFixed(1).replace(/\.0$/, "") + " kHz";
  return hz.toFixed(0) + " Hz";
}
function parseSI(text) {
  const m = /^\s*([-+]?[\d.]+(?:e[-+]?\d+)?)\s*([kMG]?)/i.exec(text || "");
  if (!m) return null;
  return parseFloat(m[1]) * ({ "": 1, k: 1e3, K: 1e3, M: 1e6, m: 1e6, G: 1e9, g: 1e9 }[m[2]] || 1);
}

// -- the connection ----------------------------------------------------------------------------
const token = params.get("token");
const wsUrl = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws?" +
  new URLSearchParams(Object.assign({}, token ? { token } : {}, params.get("sink") ? { sink: params.get("sink") } : {}));
let ws = null;
const send = (obj) => { if (ws && ws.readyState === 1) ws.send(JSON.stringify(obj)); };
function connect(restore) {
  ws = new WebSocket(wsUrl);
  ws.binaryType = "arraybuffer";
  ws.onopen = () => {
    $("status").textContent = "connected";
    if (!restore) return;  // back from the back/forward cache: ask again for what the page showed
    send({ fft: state.fft, avg: parseFloat($("avg").value) });
    if (state.rx) tune(state.rx.offset);
  };
  ws.onclose = () => { $("status").textContent = "disconnected"; };
  ws.onmessage = (ev) => {
    if (typeof ev.data === "string") return onJSON(JSON.parse(ev.data));
    const view = new DataView(ev.data);
    const kind = view.getUint8(0);
    if (kind === 1) onFrame(view, ev.data);
    else if (kind === 2) onAudio(view, ev.data);
    else if (kind === 3) onScope(view, ev.data);
  };
}
connect(false);
// A page left for another may be kept alive in the back/forward cache, its socket open: close
// it, so the server stops this page's frames and its receiver, and open it again on return.
window.addEventListener("pagehide", () => { if (ws) ws.close(); });
window.addEventListener("pageshow", (e) => { if (e.persisted) { state.restored++; connect(true); } });

function onJSON(msg) {
  if (msg.type === "hello") {
    state.rate = msg.rate; state.centre = msg.centre; state.page = msg.page;
    $("title").textContent = "sdrflow · " + msg.title;
    state.kind = msg.kind;
    if (msg.kind === "scope") { $("falls").style.display = "none"; $("axis").style.display = "none"; }
    $("fft").textContent = "";
    for (const size of msg.fft_sizes) {
      const o = document.createElement("option"); o.textContent = size; if (size === state.fft) o.selected = true;
      $("fft").appendChild(o);
    }
    showCentre();
    drawAxis();
  } else if (msg.type === "centre") {
    state.centre = msg.centre; showCentre(); drawAxis(); drawOverlay();
  } else if (msg.type === "log") {
    showCentre();  // a retune the source refused comes as a log line: the box shows the real centre
    const log = $("log");
    log.textContent += msg.text + "\n";
    state.log.push(msg.text);
    log.scrollTop = log.scrollHeight;
  } else if (msg.type === "rds") {  // what the WBFM receiver's station says of itself
    if (msg.generation !== state.generation) return;  // from before the last tune
    state.rds = msg;
    const mhz = (khz) => khz >= 87600 ? (khz / 1000).toFixed(1) + " MHz" : khz + " kHz";
    const others = Object.values(msg.others || {}).map((name) => name.trim());
    $("rds").textContent = [msg.callsign, msg.ps && msg.ps.trim(), msg.prog_type, msg.radiotext,
                            msg.playing && "♪ " + msg.playing,
                            msg.af && "also on " + msg.af.map(mhz).join(", "),
                            others.length && "sister stations " + others.join(", ")
                           ].filter(Boolean).join(" · ");
  } else if (msg.type === "error") {
    $("status").textContent = "error: " + msg.message;
  }
}

// The centre box shows the source's centre, unless the user is typing in it.
function showCentre() {
  const box = $("centre");
  if (state.centre && document.activeElement !== box) box.value = si(state.centre).replace(" ", "");
}

// -- spectrum and waterfall ----------------------------------------------------------------------
const spec = $("spectrum").getContext("2d");
const fall = $("waterfall").getContext("2d");
const W = $("waterfall").width, H = $("waterfall").height;
const row = fall.createImageData(W, 1);

function onFrame(view, buf) {
  const size = view.getUint32(4, true);
  const centre = view.getFloat64(8, true), rate = view.getFloat64(16, true);
  const stamp = view.getFloat64(24, true);
  const lo = view.getFloat32(32, true), hi = view.getFloat32(36, true);
  const levels = new Uint8Array(buf, 40, size);
  const db = new Float32Array(size);
  for (let i = 0; i < size; i++) db[i] = lo + levels[i] * (hi - lo) / 255;
  state.rate = rate; if (centre) state.centre = centre;
  // one value per pixel column: the strongest bin that falls in it
  const cols = new Float32Array(W).fill(-1e9);
  for (let i = 0; i < size; i++) { const x = Math.floor(i * W / size); if (db[i] > cols[x]) cols[x] = db[i]; }
  for (let x = 1; x < W; x++) if (cols[x] < -1e8) cols[x] = cols[x - 1];
  if ($("auto").checked) autoRange(cols);
  drawSpectrum(cols);
  fall.drawImage($("waterfall"), 0, 0, W, H - 1, 0, 1, W, H - 1);  // scroll down one row
  const span = state.dbMax - state.dbMin;
  for (let x = 0; x < W; x++) {
    const c = Math.max(0, Math.min(255, Math.round((cols[x] - state.dbMin) * 255 / span)));
    row.data[4 * x] = LUT[3 * c]; row.data[4 * x + 1] = LUT[3 * c + 1]; row.data[4 * x + 2] = LUT[3 * c + 2];
    row.data[4 * x + 3] = 255;
  }
  fall.putImageData(row, 0, 0);
  state.frames++;
  state.latencies.push(Date.now() / 1000 - stamp);  // sample at the source → pixel on the page
  if (state.latencies.length > 500) state.latencies.shift();
  state.bins = size;
}

function autoRange(cols) {
  const sorted = Array.from(cols).sort((a, b) => a - b);
  const floor = sorted[Math.floor(sorted.length * 0.2)], peak = sorted[sorted.length - 1];
  const lo = floor - 10, hi = Math.max(lo + 40, peak + 5);
  state.dbMin += 0.2 * (lo - state.dbMin); state.dbMax += 0.2 * (hi - state.dbMax);
  $("dbmin").value = state.dbMin.toFixed(0); $("dbmax").value = state.dbMax.toFixed(0);
}

function drawSpectrum(cols) {
  const w = $("spectrum").width, h = $("spectrum").height;
  spec.fillStyle = "#000"; spec.fillRect(0, 0, w, h);
  spec.strokeStyle = "#333"; spec.fillStyle = "#777"; spec.font = "10px sans-serif";
  for (let d = Math.ceil(state.dbMax / 10) * 10; d > state.dbMin; d -= 10) {
    const y = (state.dbMax - d) * h / (state.dbMax - state.dbMin);
    spec.beginPath(); spec.moveTo(0, y); spec.lineTo(w, y); spec.stroke(); spec.fillText(d + " dB", 2, y - 2);
  }
  spec.strokeStyle = "#7cf"; spec.beginPath();
  for (let x = 0; x < w; x++) {
    const y = (state.dbMax - cols[x]) * h / (state.dbMax - state.dbMin);
    if (x === 0) spec.moveTo(x, y); else spec.lineTo(x, y);
  }
  spec.stroke();
  drawPassband(spec, h);
}

function drawAxis() {
  const c = $("axis").getContext("2d"), w = c.canvas.width;
  c.fillStyle = "#1b1b1b"; c.fillRect(0, 0, w, c.canvas.height);
  if (!state.rate) return;
  c.fillStyle = "#bbb"; c.strokeStyle = "#bbb"; c.font = "11px sans-serif";
  const step = niceStep(state.rate / 8);
  const first = Math.ceil(-state.rate / 2 / step) * step;
  for (let f = first; f <= state.rate / 2; f += step) {
    const x = (f / state.rate + 0.5) * w;
    c.beginPath(); c.moveTo(x, 0); c.lineTo(x, 5); c.stroke();
    c.fillText(state.centre ? si(state.centre + f) : (f >= 0 ? "+" : "") + si(f), x + 2, 16);
  }
}
function niceStep(x) { const p = Math.pow(10, Math.floor(Math.log10(x))); return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= x); }

// -- a float stream: the scope -------------------------------------------------------------------
function onScope(view, buf) {
  const n = view.getUint32(4, true);
  const samples = new Float32Array(buf.slice(24, 24 + 4 * n));
  state.scope = Array.from(samples); state.scopeFrames++; state.rate = view.getFloat64(8, true);
  const w = $("spectrum").width, h = $("spectrum").height;
  let peak = 1e-9;
  for (const v of samples) peak = Math.max(peak, Math.abs(v));
  spec.fillStyle = "#000"; spec.fillRect(0, 0, w, h);
  spec.strokeStyle = "#333"; spec.beginPath(); spec.moveTo(0, h / 2); spec.lineTo(w, h / 2); spec.stroke();
  spec.fillStyle = "#777"; spec.font = "10px sans-serif";
  spec.fillText("±" + peak.toPrecision(3) + ", " + (n / state.rate * 1e3).toPrecision(3) + " ms", 4, 12);
  spec.strokeStyle = "#7f7"; spec.beginPath();
  for (let i = 0; i < n; i++) {
    const x = i * w / (n - 1), y = h / 2 - samples[i] / peak * (h / 2 - 4);
    if (i === 0) spec.moveTo(x, y); else spec.lineTo(x, y);
  }
  spec.stroke();
}

// -- the receiver --------------------------------------------------------------------------------
const WIDTH = { wbfm: 200e3, fm: 12.5e3, am: 10e3, usb: 6e3, lsb: 6e3 };
function tuneAt(clientX) {
  const rect = $("overlay").getBoundingClientRect();
  const x = (clientX - rect.left) * W / rect.width;
  const offset = Math.round((x / W - 0.5) * state.rate);
  tune(offset);
}
function tune(offset) {
  ensureAudio();
  const mode = $("mode").value;
  const bandwidth = parseSI($("bandwidth").value);
  const squelch = $("squelch").value === "" ? null : parseFloat($("squelch").value);
  state.rx = { offset, mode, bandwidth: bandwidth || WIDTH[mode], squelch };
  state.tuneClicks.push(performance.now());
  state.generation++;
  state.rds = null; $("rds").textContent = "";  // the next station says its own
  send({ tune: offset, mode, bandwidth: bandwidth || null, squelch });
  drawOverlay();
  $("status").textContent = "listening at " + (state.centre ? si(state.centre + offset) : si(offset)) + " (" + mode + ")";
}
function drawPassband(c, h) {
  if (!state.rx || !state.rate) return;
  const w = c.canvas.width;
  const x0 = ((state.rx.offset - state.rx.bandwidth / 2) / state.rate + 0.5) * w;
  const x1 = ((state.rx.offset + state.rx.bandwidth / 2) / state.rate + 0.5) * w;
  c.fillStyle = "rgba(255,255,255,0.12)"; c.fillRect(x0, 0, Math.max(1, x1 - x0), h);
  c.strokeStyle = "#f44"; c.beginPath();
  const xc = (state.rx.offset / state.rate + 0.5) * w; c.moveTo(xc, 0); c.lineTo(xc, h); c.stroke();
}
function drawOverlay() {
  const c = $("overlay").getContext("2d");
  c.clearRect(0, 0, W, H);
  drawPassband(c, H);
}
let dragging = false;
$("overlay").addEventListener("mousedown", (e) => { dragging = true; tuneAt(e.clientX); });
$("overlay").addEventListener("mousemove", (e) => { if (dragging) tuneAt(e.clientX); });
window.addEventListener("mouseup", () => { dragging = false; });
for (const id of ["mode", "bandwidth", "squelch"]) $(id).addEventListener("change", () => { if (state.rx) tune(state.rx.offset); });
$("fft").addEventListener("change", () => { state.fft = parseInt($("fft").value, 10); send({ fft: state.fft }); });
$("avg").addEventListener("input", () => send({ avg: parseFloat($("avg").value) }));
$("dbmin").addEventListener("change", () => { $("auto").checked = false; state.dbMin = parseFloat($("dbmin").value); });
$("dbmax").addEventListener("change", () => { $("auto").checked = false; state.dbMax = parseFloat($("dbmax").value); });
$("centre").addEventListener("change", () => {
  const f = parseSI($("centre").value);
  if (f) send({ centre: f });
  $("centre").blur();  // done typing: the box shows the source's centre again (showCentre)
});
$("gain").addEventListener("change", () => { const g = $("gain").value.trim(); send({ gain: g === "" || g === "auto" ? null : parseFloat(g) }); });

// -- audio: 16-bit PCM chunks played back to back through Web Audio -------------------------------
function ensureAudio() {
  if (!state.ctx) {
    state.ctx = new (window.AudioContext || window.webkitAudioContext)({ sampleRate: 48000 });
    state.gainNode = state.ctx.createGain(); state.gainNode.connect(state.ctx.destination);
  }
  if (state.ctx.state === "suspended") state.ctx.resume();
}
function onAudio(view, buf) {
  const rate = view.getUint32(4, true), generation = view.getUint32(8, true);
  const pcm = new Int16Array(buf.slice(12));
  const samples = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) samples[i] = pcm[i] / 32768;
  state.audioChunks++;
  if (generation === state.generation && state.tuneAudio.length < state.tuneClicks.length)
    state.tuneAudio.push(performance.now());  // click → first audio of the new receiver
  for (let i = 0; i < samples.length; i++) state.audio.push(samples[i]);
  if (state.audio.length > 96000) state.audio.splice(0, state.audio.length - 96000);
  if (!state.ctx) return;
  state.gainNode.gain.value = $("mute").checked ? 0 : parseFloat($("volume").value);
  const b = state.ctx.createBuffer(1, samples.length, rate);
  b.copyToChannel(samples, 0);
  const src = state.ctx.createBufferSource();
  src.buffer = b; src.connect(state.gainNode);
  const now = state.ctx.currentTime;
  if (state.nextTime < now + 0.02 || state.nextTime > now + 0.5) state.nextTime = now + 0.1;
  src.start(state.nextTime); state.nextTime += b.duration;
}
