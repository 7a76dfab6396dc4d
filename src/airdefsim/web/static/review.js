/* airdefsim after-action review: replay the recorded picture with a time slider,
   decisions and key moments on a timeline, score parts beside the doctrine's. */
"use strict";
(function () {
  const root = document.getElementById("review");
  if (!root) return;
  const sid = root.dataset.session;
  const $ = (id) => document.getElementById(id);
  const scope = new window.Scope($("scope"), { centre: [0, 0], kmPerPx: 0.6 });
  let data = null, idx = 0, playing = null;

  function li(list, text, cls) {
    const el = document.createElement("li");
    el.textContent = text;
    if (cls) el.className = cls;
    list.appendChild(el);
    return el;
  }
  function draw() {
    if (!data || !data.steps.length) return;
    const s = data.steps[idx];
    const tracks = s.tracks.map((r) => {
      const hdg = (r[5] * Math.PI) / 180;
      return { id: r[0], identity: r[1], lat: r[2], lon: r[3], ve: r[6] * Math.sin(hdg), vn: r[6] * Math.cos(hdg) };
    });
    scope.draw({ tracks, interceptors: s.icpt, truth: $("show-truth").checked ? s.truth : [] });
    $("rclock").textContent = `T+${window.fmtClock(s.t)}`;
    drawTimeline();
  }
  function drawTimeline() {
    const cv = $("timeline"), ctx = cv.getContext("2d");
    const w = cv.width, h = cv.height;
    const T = data.duration || 1;
    const x = (t) => 10 + ((w - 20) * t) / T;
    ctx.fillStyle = "#0b1a12"; ctx.fillRect(0, 0, w, h);
    ctx.strokeStyle = "#2f5a44"; ctx.beginPath(); ctx.moveTo(10, h / 2); ctx.lineTo(w - 10, h / 2); ctx.stroke();
    // tracks on the picture over time (a small chart of the key moments' context)
    ctx.strokeStyle = "#3f8f6a"; ctx.beginPath();
    const maxN = Math.max(1, ...data.steps.map((s) => s.tracks.length));
    data.steps.forEach((s, i) => {
      const y = h - 8 - ((h / 2 - 12) * s.tracks.length) / maxN;
      if (i === 0) ctx.moveTo(x(s.t), y); else ctx.lineTo(x(s.t), y);
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
      miss: ["#999999", "○"] };
    for (const m of data.moments) {
      const st = style[m.kind];
      if (!st) continue;
      ctx.fillStyle = st[0];
      ctx.fillText(st[1], x(m.t) - 4, h / 2 + 4);
    }
    const s = data.steps[idx];
    ctx.strokeStyle = "#ffffff"; ctx.beginPath(); ctx.moveTo(x(s.t), 0); ctx.lineTo(x(s.t), h); ctx.stroke();
    ctx.fillStyle = "#7dffb0";
    ctx.fillText(`tracks (max ${maxN})`, 12, h - 2);
  }
  function seekTime(t) {
    let best = 0;
    data.steps.forEach((s, i) => { if (Math.abs(s.t - t) < Math.abs(data.steps[best].t - t)) best = i; });
    idx = best; $("slider").value = String(idx); draw();
  }
  function scoreTable(score, doctrine) {
    const tbody = document.querySelector("#score-parts tbody");
    tbody.replaceChildren();
    const dparts = doctrine && doctrine.parts ? Object.fromEntries(doctrine.parts.map((p) => [p.key, p])) : {};
    for (const p of score.parts) {
      const tr = document.createElement("tr");
      const dp = dparts[p.key];
      for (const txt of [p.label, p.value, p.points.toFixed(1), dp ? `${dp.value} (${dp.points.toFixed(1)})` : "—"]) {
        const td = document.createElement("td"); td.textContent = txt; tr.appendChild(td);
      }
      tbody.appendChild(tr);
    }
    $("score-total").textContent = score.total.toFixed(0);
    if (doctrine && doctrine.score !== undefined) $("doctrine-line").textContent = `Automatic doctrine on the same seed: ${doctrine.score.toFixed(0)} / 100`;
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
      scope.centre = d.site; scope.units = d.units_static; scope.assets = d.assets;
      scope.loadBasemap(Math.round(d.origin[0]), Math.round(d.origin[1]));
      $("slider").max = String(Math.max(0, d.steps.length - 1));
      scoreTable(d.score, d.doctrine);
      if (!d.doctrine) pollDoctrine();
      const dl = $("decisions");
      for (const x of d.decisions) {
        const was = x.track !== null && x.track !== undefined ? ` — track was ${x.identity ?? "?"}, IFF ${x.iff === null ? "not asked" : x.iff ? "reply" : "no reply"}` : "";
        const el = li(dl, `T+${window.fmtClock(x.t)}  ${x.text || x.kind}${was}`, "decision");
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
    seekTime(frac * (data.duration || 1));
  });
  $("play").addEventListener("click", () => {
    if (playing) { clearInterval(playing); playing = null; $("play").textContent = "Play"; return; }
    $("play").textContent = "Stop";
    playing = setInterval(() => {
      if (!data || idx >= data.steps.length - 1) { clearInterval(playing); playing = null; $("play").textContent = "Play"; return; }
      idx += 1; $("slider").value = String(idx); draw();
    }, 100);
  });
})();
