/* airdefsim after-action review: replay the recording (tracks, interceptors, truth at
   every record time) with a time slider, decisions and key moments on a timeline, score
   parts beside the doctrine's. Data: airdefsim.web.wire.Review, tables column-wise. */
"use strict";
(function () {
  const root = document.getElementById("review");
  if (!root) return;
  const sid = root.dataset.session;
  const $ = (id) => document.getElementById(id);
  const scope = new window.Scope($("scope"), { centre: [0, 0], kmPerPx: 0.6 });
  let data = null, times = [], idx = 0, playing = null;

  function li(list, text, cls) {
    const el = document.createElement("li");
    el.textContent = text;
    if (cls) el.className = cls;
    list.appendChild(el);
    return el;
  }
  // first index i with col[i] >= t (the rows of one table are in time order)
  function lower(col, t) {
    let lo = 0, hi = col.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (col[mid] < t - 1e-6) lo = mid + 1; else hi = mid; }
    return lo;
  }
  // the rows of a column-wise table recorded at time t, as a table of the same keys
  function at(table, t) {
    const lo = lower(table.t, t), hi = lower(table.t, t + 1e-3);
    const out = {};
    for (const k in table) out[k] = table[k].slice(lo, hi);
    return out;
  }
  function draw() {
    if (!data || !times.length) return;
    const t = times[idx];
    const tr = at(data.tracks, t);
    const tracks = tr.id.map((id, i) => ({ id, identity: tr.identity[i], lat: tr.lat[i], lon: tr.lon[i], ve: tr.ve[i], vn: tr.vn[i] }));
    scope.draw({ tracks, interceptors: at(data.interceptors, t), truth: $("show-truth").checked ? at(data.truth, t) : null });
    $("rclock").textContent = `T+${window.fmtClock(t)}`;
    drawTimeline();
  }
  function drawTimeline() {
    const cv = $("timeline"), ctx = cv.getContext("2d");
    const w = cv.width, h = cv.height;
    const T = data.layout.duration || 1;
    const x = (t) => 10 + ((w - 20) * t) / T;
    ctx.fillStyle = "#0b1a12"; ctx.fillRect(0, 0, w, h);
    ctx.strokeStyle = "#2f5a44"; ctx.beginPath(); ctx.moveTo(10, h / 2); ctx.lineTo(w - 10, h / 2); ctx.stroke();
    // tracks on the picture over time (the key moments' context)
    const counts = times.map((t) => lower(data.tracks.t, t + 1e-3) - lower(data.tracks.t, t));
    const maxN = Math.max(1, ...counts);
    ctx.strokeStyle = "#3f8f6a"; ctx.beginPath();
    times.forEach((t, i) => {
      const y = h - 8 - ((h / 2 - 12) * counts[i]) / maxN;
      if (i === 0) ctx.moveTo(x(t), y); else ctx.lineTo(x(t), y);
    });
    ctx.stroke();
    ctx.font = "11px monospace";
    for (const d of data.decisions) {
      ctx.fillStyle = "#ffd24d";
      const px = x(d.t);
      ctx.beginPath(); ctx.moveTo(px, 8); ctx.lineTo(px + 5, 18); ctx.lineTo(px - 5, 18); ctx.closePath(); ctx.fill();
    }
    const style = { launch: ["#ffffff", "●"], kill: ["#7dffb0", "✚"], leak: ["#ff4d4d", "✖"],
      asset_hit: ["#ff4d4d", "✖"], friendly_engaged: ["#ff4dff", "!"], command_refused: ["#ffa03c", "◆"],
      roe_violation: ["#ffa03c", "!"], engagement_cancelled: ["#ffa03c", "◇"], miss: ["#999999", "○"] };
    for (const m of data.moments) {
      const st = style[m.kind];
      if (!st) continue;
      ctx.fillStyle = st[0];
      ctx.fillText(st[1], x(m.t) - 4, h / 2 + 4);
    }
    const t = times[idx];
    ctx.strokeStyle = "#ffffff"; ctx.beginPath(); ctx.moveTo(x(t), 0); ctx.lineTo(x(t), h); ctx.stroke();
    ctx.fillStyle = "#7dffb0";
    ctx.fillText(`tracks (max ${maxN})`, 12, h - 2);
  }
  function seekTime(t) {
    idx = Math.min(Math.max(lower(times, t), 0), times.length - 1);
    if (idx > 0 && Math.abs(times[idx - 1] - t) < Math.abs(times[idx] - t)) idx -= 1;
    $("slider").value = String(idx); draw();
  }
  function scoreTable(score, doctrine) {
    const tbody = document.querySelector("#score-parts tbody");
    tbody.replaceChildren();
    const dscore = doctrine && doctrine.score ? doctrine.score : null;
    const dparts = dscore ? Object.fromEntries(dscore.parts.map((p) => [p.key, p])) : {};
    for (const p of score ? score.parts : []) {
      const tr = document.createElement("tr");
      const dp = dparts[p.key];
      for (const txt of [p.label, p.value, p.points.toFixed(1), dp ? `${dp.value} (${dp.points.toFixed(1)})` : "—"]) {
        const td = document.createElement("td"); td.textContent = txt; tr.appendChild(td);
      }
      tbody.appendChild(tr);
    }
    if (score) $("score-total").textContent = score.total.toFixed(0);
    if (dscore) $("doctrine-line").textContent = `Automatic doctrine on the same seed: ${dscore.total.toFixed(0)} / 100`;
    else if (doctrine && doctrine.error) $("doctrine-line").textContent = doctrine.error;
  }
  function pollDoctrine() {
    fetch(`/api/sessions/${sid}`, { credentials: "same-origin" }).then((r) => r.json()).then((s) => {
      if (s.doctrine) scoreTable(data.score, s.doctrine);
      else setTimeout(pollDoctrine, 2000);
    }).catch(() => setTimeout(pollDoctrine, 5000));
  }
  fetch(`/api/sessions/${sid}/review`, { credentials: "same-origin" })
    .then((r) => { if (!r.ok) throw new Error(`no recording (${r.status})`); return r.json(); })
    .then((d) => {
      data = d;
      times = [...new Set([...d.truth.t, ...d.tracks.t])].sort((a, b) => a - b);
      const lay = d.layout;
      scope.centre = lay.site; scope.units = lay.units; scope.assets = lay.assets;
      scope.loadBasemap(Math.round(lay.origin[0]), Math.round(lay.origin[1]));
      $("slider").max = String(Math.max(0, times.length - 1));
      scoreTable(d.score, d.doctrine);
      if (!d.doctrine) pollDoctrine();
      const dl = $("decisions");
      for (const x of d.decisions) {
        const was = x.track !== null ? ` — track was ${x.identity ?? "?"}, IFF ${x.iff === null ? "not asked" : x.iff ? "reply" : "no reply"}` : "";
        const el = li(dl, `T+${window.fmtClock(x.t)}  ${x.text}${was}`, "decision");
        el.addEventListener("click", () => seekTime(x.t));
      }
      const ml = $("moments");
      for (const m of d.moments) {
        const el = li(ml, `T+${window.fmtClock(m.t)}  ${m.text}`, m.kind);
        el.addEventListener("click", () => seekTime(m.t));
      }
      draw();
    })
    .catch((e) => { $("doctrine-line").textContent = String(e); });
  $("slider").addEventListener("input", () => { idx = parseInt($("slider").value, 10); draw(); });
  $("show-truth").addEventListener("change", draw);
  $("timeline").addEventListener("click", (e) => {
    if (!data) return;
    const r = $("timeline").getBoundingClientRect();
    const frac = (e.clientX - r.left - 10 * (r.width / $("timeline").width)) / (r.width * (1 - 20 / $("timeline").width));
    seekTime(frac * (data.layout.duration || 1));
  });
  $("play").addEventListener("click", () => {
    if (playing) { clearInterval(playing); playing = null; $("play").textContent = "Play"; return; }
    $("play").textContent = "Stop";
    playing = setInterval(() => {
      if (!data || idx >= times.length - 1) { clearInterval(playing); playing = null; $("play").textContent = "Play"; return; }
      idx += 1; $("slider").value = String(idx); draw();
    }, 100);
  });
})();
