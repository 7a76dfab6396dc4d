/* airdefsim radar scope: plan view on a <canvas>, shared by the live console and the review.
   Projection: local azimuthal-equidistant-ish (flat earth around the centre), km.
   No external resources; no inline script (CSP). */
"use strict";
(function () {
  const KM_PER_DEG_LAT = 110.574;
  const IDENT_COLOURS = { hostile: "#ff4d4d", friendly: "#4da6ff", unknown: "#ffd24d" };

  class Scope {
    constructor(canvas, opts) {
      this.canvas = canvas;
      this.ctx = canvas.getContext("2d");
      this.centre = opts.centre; // [lat, lon] of the projection
      this.view = { x: 0, y: 0 }; // km offset of the view centre
      this.kmPerPx = opts.kmPerPx || 0.6;
      this.basemap = [];
      this.units = [];
      this.assets = [];
      this.selected = null;
      this.onSelect = null;
      this.hits = [];
      this._bind();
    }
    project(lat, lon) {
      const c = this.centre;
      const x = (lon - c[1]) * KM_PER_DEG_LAT * Math.cos((c[0] * Math.PI) / 180);
      const y = (lat - c[0]) * KM_PER_DEG_LAT;
      return [x, y];
    }
    toPx(lat, lon) {
      const [x, y] = this.project(lat, lon);
      const w = this.canvas.width, h = this.canvas.height;
      return [w / 2 + (x - this.view.x) / this.kmPerPx, h / 2 - (y - this.view.y) / this.kmPerPx];
    }
    _bind() {
      const cv = this.canvas;
      cv.addEventListener("wheel", (e) => {
        e.preventDefault();
        const f = e.deltaY > 0 ? 1.2 : 1 / 1.2;
        this.kmPerPx = Math.min(5, Math.max(0.02, this.kmPerPx * f));
        this.dirty = true;
      }, { passive: false });
      let drag = null;
      cv.addEventListener("mousedown", (e) => { drag = { x: e.clientX, y: e.clientY, moved: false }; });
      window.addEventListener("mouseup", (e) => {
        if (drag && !drag.moved) this._click(e);
        drag = null;
      });
      window.addEventListener("mousemove", (e) => {
        if (!drag) return;
        const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
        if (drag.moved) {
          this.view.x -= dx * this.kmPerPx * (this.canvas.width / this.canvas.clientWidth);
          this.view.y += dy * this.kmPerPx * (this.canvas.height / this.canvas.clientHeight);
          drag.x = e.clientX; drag.y = e.clientY;
          this.dirty = true;
        }
      });
    }
    _click(e) {
      const r = this.canvas.getBoundingClientRect();
      const px = ((e.clientX - r.left) * this.canvas.width) / r.width;
      const py = ((e.clientY - r.top) * this.canvas.height) / r.height;
      let best = null, bestD = 15 * 15;
      for (const h of this.hits) {
        const d = (h.x - px) ** 2 + (h.y - py) ** 2;
        if (d < bestD) { bestD = d; best = h.id; }
      }
      if (best !== null && this.onSelect) this.onSelect(best);
    }
    recentre() { this.view = { x: 0, y: 0 }; this.dirty = true; }
    loadBasemap(lat, lon) {
      fetch(`/api/basemap?lat=${lat}&lon=${lon}&span=8`, { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : null))
        .then((g) => {
          if (!g) return;
          const lines = [];
          for (const f of g.features || []) {
            const geom = f.geometry || {};
            const parts = geom.type === "MultiLineString" ? geom.coordinates
              : geom.type === "LineString" ? [geom.coordinates]
              : geom.type === "Polygon" ? geom.coordinates
              : geom.type === "MultiPolygon" ? geom.coordinates.flat() : [];
            for (const p of parts) lines.push(p);
          }
          this.basemap = lines;
          this.dirty = true;
        })
        .catch(() => {});
    }
    circle(lat, lon, radiusKm, style, dash) {
      const [cx, cy] = this.toPx(lat, lon);
      const ctx = this.ctx;
      ctx.beginPath();
      ctx.setLineDash(dash || []);
      ctx.strokeStyle = style;
      ctx.arc(cx, cy, radiusKm / this.kmPerPx, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    sector(lat, lon, radiusKm, headingDeg, widthDeg, style) {
      const [cx, cy] = this.toPx(lat, lon);
      const ctx = this.ctx;
      const a0 = ((headingDeg - widthDeg / 2 - 90) * Math.PI) / 180;
      const a1 = ((headingDeg + widthDeg / 2 - 90) * Math.PI) / 180;
      ctx.beginPath();
      ctx.strokeStyle = style;
      ctx.moveTo(cx, cy);
      ctx.arc(cx, cy, radiusKm / this.kmPerPx, a0, a1);
      ctx.closePath();
      ctx.stroke();
    }
    /* scene: {tracks: [{id, identity, lat, lon, ve, vn, label, engaged}],
               plots: {lat: [], lon: [], age: []}, interceptors: {lat: [], lon: []},
               truth: {lat: [], lon: [], hostile: [], alive: []}} — tables column-wise,
       as the server sends them (airdefsim.web.wire) */
    draw(scene) {
      const ctx = this.ctx, w = this.canvas.width, h = this.canvas.height;
      ctx.fillStyle = "#07130d";
      ctx.fillRect(0, 0, w, h);
      // basemap
      ctx.strokeStyle = "#2f5a44";
      ctx.lineWidth = 1;
      for (const line of this.basemap) {
        ctx.beginPath();
        for (let i = 0; i < line.length; i++) {
          const [x, y] = this.toPx(line[i][1], line[i][0]);
          if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
        }
        ctx.stroke();
      }
      // range rings around the first unit
      const u0 = this.units[0];
      if (u0) {
        const step = this.kmPerPx > 1 ? 100 : this.kmPerPx > 0.3 ? 50 : 10;
        ctx.fillStyle = "#3b7a5a";
        ctx.font = "11px monospace";
        for (let r = step; r <= 600; r += step) {
          this.circle(u0.lat, u0.lon, r, "#1d3d2c");
          const [x, y] = this.toPx(u0.lat + r / KM_PER_DEG_LAT, u0.lon);
          ctx.fillText(`${r}`, x + 2, y - 2);
        }
      }
      // units: coverage and engagement zones
      for (const u of this.units) {
        if (u.coverage_m) {
          if (u.sector_deg && u.sector_deg < 359) this.sector(u.lat, u.lon, u.coverage_m / 1000, u.heading_deg, u.sector_deg, "#3f8f6a");
          else this.circle(u.lat, u.lon, u.coverage_m / 1000, "#3f8f6a", [6, 4]);
        }
        for (const z of u.zones || []) this.circle(u.lat, u.lon, z.max_m / 1000, "rgba(255,160,60,0.55)", [2, 3]);
        const [x, y] = this.toPx(u.lat, u.lon);
        ctx.fillStyle = "#7dffb0";
        ctx.fillRect(x - 4, y - 4, 8, 8);
        ctx.fillText(u.name, x + 6, y + 12);
      }
      for (const a of this.assets) {
        const [x, y] = this.toPx(a.lat, a.lon);
        ctx.strokeStyle = "#c9a0ff";
        ctx.beginPath();
        ctx.moveTo(x, y - 7); ctx.lineTo(x + 7, y); ctx.lineTo(x, y + 7); ctx.lineTo(x - 7, y); ctx.closePath();
        ctx.stroke();
        ctx.fillStyle = "#c9a0ff";
        ctx.fillText(a.name, x + 9, y + 4);
      }
      // plots fading with age
      const P = scene.plots;
      for (let i = 0; P && i < P.lat.length; i++) {
        const alpha = Math.max(0.08, 1 - P.age[i] / 30);
        const [x, y] = this.toPx(P.lat[i], P.lon[i]);
        ctx.fillStyle = `rgba(140,255,170,${alpha.toFixed(2)})`;
        ctx.fillRect(x - 1.5, y - 1.5, 3, 3);
      }
      // truth (review only)
      const T = scene.truth;
      for (let i = 0; T && i < T.lat.length; i++) {
        if (!T.alive[i]) continue;
        const [x, y] = this.toPx(T.lat[i], T.lon[i]);
        ctx.strokeStyle = T.hostile[i] ? "rgba(255,120,120,0.6)" : "rgba(120,180,255,0.6)";
        ctx.beginPath();
        ctx.arc(x, y, 3, 0, 2 * Math.PI);
        ctx.stroke();
      }
      // interceptors
      ctx.fillStyle = "#ffffff";
      const M = scene.interceptors;
      for (let i = 0; M && i < M.lat.length; i++) {
        const [x, y] = this.toPx(M.lat[i], M.lon[i]);
        ctx.beginPath();
        ctx.arc(x, y, 2.5, 0, 2 * Math.PI);
        ctx.fill();
      }
      // tracks with velocity leaders (60 s of flight)
      this.hits = [];
      ctx.font = "12px monospace";
      for (const t of scene.tracks || []) {
        const col = IDENT_COLOURS[t.identity] || IDENT_COLOURS.unknown;
        const [x, y] = this.toPx(t.lat, t.lon);
        const lead = 60 / 1000 / this.kmPerPx;
        ctx.strokeStyle = col;
        ctx.lineWidth = t.id === this.selected ? 2.5 : 1.5;
        ctx.beginPath();
        ctx.moveTo(x, y);
        ctx.lineTo(x + (t.ve || 0) * lead, y - (t.vn || 0) * lead);
        ctx.stroke();
        ctx.beginPath();
        if (t.identity === "hostile") { ctx.moveTo(x, y - 6); ctx.lineTo(x + 6, y + 5); ctx.lineTo(x - 6, y + 5); ctx.closePath(); }
        else if (t.identity === "friendly") ctx.arc(x, y, 6, 0, 2 * Math.PI);
        else ctx.rect(x - 5, y - 5, 10, 10);
        ctx.stroke();
        if (t.engaged) {
          ctx.setLineDash([3, 3]);
          ctx.beginPath();
          ctx.arc(x, y, 14, 0, 2 * Math.PI);
          ctx.stroke();
          ctx.setLineDash([]);
        }
        if (t.id === this.selected) {
          ctx.strokeStyle = "#ffffff";
          ctx.lineWidth = 1;
          ctx.strokeRect(x - 11, y - 11, 22, 22);
        }
        ctx.lineWidth = 1;
        ctx.fillStyle = col;
        ctx.fillText(t.label || `T${t.id}`, x + 9, y - 7);
        this.hits.push({ id: t.id, x, y });
      }
      // scale
      ctx.fillStyle = "#7dffb0";
      ctx.fillText(`${(100 * this.kmPerPx).toFixed(0)} km / 100 px`, 10, h - 10);
      this.dirty = false;
    }
  }
  window.Scope = Scope;
  window.fmtClock = function (t) {
    t = Math.max(0, Math.floor(t || 0));
    const m = Math.floor(t / 60), s = t % 60;
    return `${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  };
})();
