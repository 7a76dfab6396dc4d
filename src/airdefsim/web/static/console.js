/* airdefsim live C2 console: WebSocket stream -> scope, track table, units, messages;
   trainee orders -> JSON commands (validated again on the server). */
"use strict";
(function () {
  const root = document.getElementById("console");
  if (!root) return;
  const sessionId = root.dataset.session;
  const $ = (id) => document.getElementById(id);
  const state = {
    tracks: [], byId: new Map(), plots: null, interceptors: null, units: [], t: 0,
    selected: null, sortKey: "rank", sortDir: 1, rate: 1, paused: false, over: false,
    allowPause: false, lastTable: 0,
  };
  const scope = new window.Scope($("scope"), { centre: [0, 0], kmPerPx: 0.6 });
  scope.onSelect = (id) => select(id);
  let ws = null;

  function toast(text) {
    const el = $("toast");
    el.textContent = text;
    el.classList.remove("hidden");
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => el.classList.add("hidden"), 4000);
  }
  function addMessages(list) {
    const ol = $("messages");
    for (const m of list) {
      const li = document.createElement("li");
      li.className = m.level || "info";
      li.textContent = `T+${window.fmtClock(m.t)}  ${m.text}`;
      ol.prepend(li);
    }
    while (ol.children.length > 300) ol.removeChild(ol.lastChild);
  }
  function send(obj) {
    if (!ws || ws.readyState !== WebSocket.OPEN) { toast("not connected"); return; }
    ws.send(JSON.stringify(obj));
  }
  function rows(cols) {
    const out = [];
    const n = (cols.id || []).length;
    for (let i = 0; i < n; i++) {
      const r = {};
      for (const k in cols) if (Array.isArray(cols[k])) r[k] = cols[k][i];
      out.push(r);
    }
    return out;
  }
  function select(id) {
    state.selected = id;
    scope.selected = id;
    updateSelection();
    renderTable(true);
  }
  function updateSelection() {
    const t = state.byId.get(state.selected);
    const on = !!t && !state.over;
    for (const b of ["btn-iff", "btn-hostile", "btn-friend", "btn-fire", "btn-cease"]) $(b).disabled = !on;
    $("sel-name").textContent = t ? `T${t.id}` : "—";
    if (t) {
      const iff = t.iff === null ? "not interrogated" : t.iff ? "reply (friend)" : "no reply";
      $("sel-info").textContent = `${t.identity} · ${fmt.kind(t.kind)} · ${(t.range / 1000).toFixed(0)} km ` +
        `brg ${t.bearing.toFixed(0)}° · alt ${t.alt.toFixed(0)} m · ${t.speed.toFixed(0)} m/s · IFF ${iff}` +
        (t.engaged ? " · ENGAGED" : "");
    } else if (state.selected !== null) {
      $("sel-info").textContent = `T${state.selected} is no longer on the picture`;
    }
  }
  const fmt = {
    range: (v) => (v / 1000).toFixed(1), bearing: (v) => v.toFixed(0), alt: (v) => v.toFixed(0),
    speed: (v) => v.toFixed(0), heading: (v) => v.toFixed(0),
    rank: (v) => (v > 0 ? String(v) : "—"), tta: (v) => (v === null ? "—" : v.toFixed(0)),
    iff: (v) => (v === null ? "?" : v ? "reply" : "none"), engaged: (v) => (v ? "yes" : ""),
    id: (v) => `T${v}`, kind: (v) => v.replace("_", " "),
  };
  const KEYS = ["id", "identity", "kind", "range", "bearing", "alt", "speed", "heading", "rank", "tta", "iff", "engaged"];
  function renderTable(force) {
    const now = performance.now();
    if (!force && now - state.lastTable < 200) return;
    state.lastTable = now;
    const k = state.sortKey, d = state.sortDir;
    const sorted = state.tracks.slice().sort((a, b) => {
      let x = a[k], y = b[k];
      if (k === "rank") { x = x > 0 ? x : 1e9; y = y > 0 ? y : 1e9; }
      if (x === null) x = 1e12; if (y === null) y = 1e12;
      return (x < y ? -1 : x > y ? 1 : 0) * d;
    });
    const tbody = document.querySelector("#tracks tbody");
    const frag = document.createDocumentFragment();
    for (const t of sorted) {
      const tr = document.createElement("tr");
      tr.dataset.track = t.id;
      tr.className = `id-${t.identity}` + (t.id === state.selected ? " selected" : "");
      for (const key of KEYS) {
        const td = document.createElement("td");
        td.className = `c-${key}`;
        const v = t[key];
        td.textContent = fmt[key] ? fmt[key](v) : String(v);
        tr.appendChild(td);
      }
      tr.addEventListener("click", () => select(t.id));
      frag.appendChild(tr);
    }
    tbody.replaceChildren(frag);
    $("n-tracks").textContent = `(${sorted.length})`;
  }
  function renderUnits() {
    const box = $("units");
    const frag = document.createDocumentFragment();
    for (const u of state.units) {
      const div = document.createElement("div");
      div.className = "unit";
      const h = document.createElement("h3");
      h.textContent = `${u.name} — weapons ${u.weapons}`;
      div.appendChild(h);
      const ch = document.createElement("div");
      ch.className = "channels";
      ch.textContent = `Target channels ${u.targets_engaged}/${u.target_channels} · missile channels ${u.missiles_guided}/${u.missile_channels}`;
      div.appendChild(ch);
      const inv = document.createElement("div");
      inv.className = "inventory";
      inv.textContent = "Ready: " + Object.entries(u.inventory).map(([m, n]) => `${m} ${n}`).join(" · ");
      div.appendChild(inv);
      const ln = document.createElement("div");
      ln.className = "launchers";
      for (const l of u.launchers) {
        const s = document.createElement("span");
        s.className = "launcher" + (l.ready ? "" : " busy");
        const n = Object.values(l.missiles).reduce((a, b) => a + b, 0);
        s.textContent = `${l.name}:${n}`;
        s.title = Object.entries(l.missiles).map(([m, k]) => `${m} ${k}`).join(", ");
        ln.appendChild(s);
      }
      div.appendChild(ln);
      frag.appendChild(div);
    }
    box.replaceChildren(frag);
  }
  function onHello(m) {
    const lay = m.layout;
    $("ex-title").textContent = lay.title;
    $("duration").textContent = window.fmtClock(lay.duration);
    scope.centre = lay.site;
    scope.units = lay.units;
    scope.assets = lay.assets;
    scope.loadBasemap(Math.round(lay.origin[0]), Math.round(lay.origin[1]));
    const ms = $("missile");
    ms.replaceChildren();
    const auto = document.createElement("option");
    auto.value = ""; auto.textContent = "best available";
    ms.appendChild(auto);
    for (const name of lay.missiles) {
      const o = document.createElement("option");
      o.value = name; o.textContent = name;
      ms.appendChild(o);
    }
    const us = $("fire-unit");
    us.replaceChildren();
    const best = document.createElement("option");
    best.value = ""; best.textContent = "best placed";
    us.appendChild(best);
    for (const u of lay.units) {
      const o = document.createElement("option");
      o.value = u.name; o.textContent = u.name;
      us.appendChild(o);
    }
    const rs = $("rate");
    rs.replaceChildren();
    for (const r of m.rates) {
      const o = document.createElement("option");
      o.value = String(r); o.textContent = `${r}×`;
      rs.appendChild(o);
    }
    state.allowPause = m.allow_pause;
    $("pause-btn").disabled = !m.allow_pause;
    $("pause-btn").title = m.allow_pause ? "" : "pause not allowed by the instructor";
    $("messages").replaceChildren();
    addMessages(m.messages || []);
    if (m.result) onFinished({ status: "finished", result: m.result });
  }
  function onFrame(m) {
    state.t = m.t;
    state.tracks = rows(m.tracks);
    state.byId = new Map(state.tracks.map((t) => [t.id, t]));
    state.plots = m.plots;
    state.interceptors = m.interceptors;
    state.rate = m.rate; state.paused = m.paused;
    if (m.units) { state.units = m.units; renderUnits(); }
    if (m.messages) addMessages(m.messages);
    $("clock").textContent = window.fmtClock(m.t);
    $("pause-btn").textContent = m.paused ? "Resume" : "Pause";
    if ($("rate").value !== String(m.rate)) $("rate").value = String(m.rate);
    for (const t of state.tracks) t.label = `T${t.id} ${(t.alt / 1000).toFixed(1)}km`;
    renderTable(false);
    updateSelection();
    scope.dirty = true;
  }
  function onFinished(m) {
    state.over = true;
    updateSelection();
    const box = $("finished");
    box.classList.remove("hidden");
    if (m.status === "finished" && m.result) {
      $("final-score").textContent = `Score ${m.result.total.toFixed(0)} / 100`;
      $("review-link").href = `/sessions/${sessionId}/review`;
    } else {
      $("final-score").textContent = `The exercise was ${m.status}.`;
      $("review-link").href = "/activities";
    }
  }
  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${proto}://${location.host}/ws/console/${sessionId}`);
    ws.onopen = () => { $("conn").textContent = "live"; $("conn").className = "conn ok"; };
    ws.onclose = (e) => {
      $("conn").textContent = state.over ? "ended" : `disconnected (${e.code})`;
      $("conn").className = "conn";
      if (!state.over && e.code !== 4404 && e.code !== 4401 && e.code !== 4403) setTimeout(connect, 2000);
    };
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === "frame") onFrame(m);
      else if (m.type === "hello") onHello(m);
      else if (m.type === "error") { toast(m.message); addMessages([{ t: state.t, text: m.message, level: "error" }]); }
      else if (m.type === "finished") onFinished(m);
      else if (m.type === "status" && m.messages) addMessages(m.messages);
    };
  }
  // controls
  $("btn-iff").addEventListener("click", () => send({ type: "interrogate", track: state.selected }));
  $("btn-hostile").addEventListener("click", () => send({ type: "declare", track: state.selected, identity: "hostile" }));
  $("btn-friend").addEventListener("click", () => send({ type: "declare", track: state.selected, identity: "friendly" }));
  $("btn-fire").addEventListener("click", () => {
    const missile = $("missile").value || null;
    const unit = $("fire-unit").value || null;
    send({ type: "engage", track: state.selected, missile, unit, salvo: parseInt($("salvo").value, 10) });
  });
  $("btn-cease").addEventListener("click", () => send({ type: "cease_fire", track: state.selected }));
  $("pause-btn").addEventListener("click", () => send({ type: state.paused ? "resume" : "pause" }));
  $("rate").addEventListener("change", () => send({ type: "rate", factor: parseInt($("rate").value, 10) }));
  $("recenter").addEventListener("click", () => scope.recentre());
  $("abort-btn").addEventListener("click", () => {
    if (window.confirm("End this exercise now? It will not be scored.")) send({ type: "abort" });
  });
  $("weapons").addEventListener("change", () => {
    const v = $("weapons").value;
    if (v) send({ type: "weapons", state: v });
  });
  for (const th of document.querySelectorAll("#tracks th")) {
    th.addEventListener("click", () => {
      const k = th.dataset.key;
      state.sortDir = state.sortKey === k ? -state.sortDir : 1;
      state.sortKey = k;
      renderTable(true);
    });
  }
  function frameLoop() {
    scope.draw({ tracks: state.tracks, plots: state.plots, interceptors: state.interceptors });
    requestAnimationFrame(frameLoop);
  }
  connect();
  requestAnimationFrame(frameLoop);
})();
