/* Interactive explorers of the course (_ext/explorer.py): SVG figures redrawn from numbers that
   nnlib computed (explorers/*.json, embedded in the page). No library, no request.
   The same render functions run at build time in Node (the static figure of the default
   setting, for the PDF and for readers without JavaScript) and in the browser. */
(function () {
  "use strict";

  const SUP = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };

  /** A number with 3 significant digits; powers of ten as 1.23×10⁻⁴. */
  function fmt(v) {
    if (v === null || v === undefined || !isFinite(v)) return "溢出（非有限值）";
    if (v === 0) return "0";
    const a = Math.abs(v);
    if (a >= 1e-3 && a < 1e4) return String(Number(v.toPrecision(3)));
    const [m, e] = v.toExponential(2).split("e");
    const exp = String(Number(e)).split("").map((c) => SUP[c]).join("");
    return `${Number(m)}×10${exp}`;
  }

  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const scale = (d0, d1, r0, r1) => (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  const line = (pts, attrs) =>
    `<polyline fill="none" ${attrs} points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ")}"/>`;
  const label = (x, y, s, extra = "") =>
    `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${extra}>${esc(s)}</text>`;

  /** Axes box with ticks: xs/ys are [value, text] pairs; returns SVG. */
  function frame(b, xs, ys, title, xlabel, ylabel) {
    let out = `<rect class="ex-box" x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}"/>`;
    for (const [px, t] of xs) {
      out += `<line class="ex-grid" x1="${px}" x2="${px}" y1="${b.y}" y2="${b.y + b.h}"/>`;
      out += label(px, b.y + b.h + 15, t, 'text-anchor="middle"');
    }
    for (const [py, t] of ys) {
      out += `<line class="ex-grid" x1="${b.x}" x2="${b.x + b.w}" y1="${py}" y2="${py}"/>`;
      out += label(b.x - 4, py + 4, t, 'text-anchor="end"');
    }
    out += label(b.x + b.w / 2, b.y - 8, title, 'text-anchor="middle" class="ex-title"');
    if (xlabel) out += label(b.x + b.w / 2, b.y + b.h + 32, xlabel, 'text-anchor="middle"');
    if (ylabel)
      out += `<text transform="translate(${b.x - 40},${b.y + b.h / 2}) rotate(-90)" text-anchor="middle">${esc(ylabel)}</text>`;
    return out;
  }

  /** About ``count`` round tick values (1, 2 or 5 times a power of ten apart) within [lo, hi]. */
  function niceTicks(lo, hi, count) {
    const raw = (hi - lo) / count;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
    const ticks = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) ticks.push(Number(v.toPrecision(6)));
    return ticks;
  }

  const pow10 = (k) => (k === 0 ? "1" : `10${String(k).split("").map((c) => SUP[c]).join("")}`);

  function logTicks(lo, hi, step, y) {
    const ticks = [];
    for (let k = lo; k <= hi; k += step) ticks.push([y(k), pow10(k)]);
    return ticks;
  }

  function svg(w, h, body, name) {
    return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(name)}" class="ex-svg">${body}</svg>`;
  }

  // ------------------------------------------------------------------ 1. activations and depth
  function activationDepth(data, state) {
    const act = data.activations.find((a) => a.name === state.activation) || data.activations[0];
    const n = clamp(Number(state.n), 1, data.depth - 1);
    const xs = data.x;
    const X0 = xs[0], X1 = xs[xs.length - 1];
    let body = "";
    const panel = (b, ys, title, ylabel, withZero) => {
      let lo = Math.min(...ys), hi = Math.max(...ys);
      if (withZero) { lo = Math.min(lo, 0); hi = Math.max(hi, 0); }
      const pad = (hi - lo || 1) * 0.08;
      lo -= pad; hi += pad;
      const sx = scale(X0, X1, b.x, b.x + b.w), sy = scale(lo, hi, b.y + b.h, b.y);
      let out = "";
      for (const [a, c] of act.saturated)
        out += `<rect class="ex-saturated" x="${sx(a)}" y="${b.y}" width="${Math.max(2, sx(c) - sx(a))}" height="${b.h}"/>`;
      const yt = niceTicks(lo, hi, 4).map((v) => [sy(v), fmt(v)]);
      out += frame(b, [-8, -4, 0, 4, 8].map((v) => [sx(v), String(v)]), yt, title, "x", ylabel);
      if (lo < 0 && hi > 0) out += `<line class="ex-zero" x1="${b.x}" x2="${b.x + b.w}" y1="${sy(0)}" y2="${sy(0)}"/>`;
      out += line(xs.map((x, i) => [sx(x), sy(ys[i])]), `stroke="${act.color}" stroke-width="2.5"`);
      return out;
    };
    const narrow = Boolean(state.narrow);
    const W = narrow ? 360 : 660;
    const [p1, p2, b] = narrow
      ? [{ x: 60, y: 30, w: 280, h: 140 }, { x: 60, y: 230, w: 280, h: 140 }, { x: 60, y: 440, w: 280, h: 150 }]
      : [{ x: 60, y: 30, w: 230, h: 150 }, { x: 370, y: 30, w: 230, h: 150 }, { x: 60, y: 260, w: 540, h: 150 }];
    body += panel(p1, act.f, `${act.label}：f(x)`, "f(x)", false);
    body += panel(p2, act.df, `导数 f′(x)`, "f′(x)", true);
    // Gradient after n layers, log axis, bars for every layer count up to the slider.
    const through = act.through;
    const logs = through.filter((v) => v > 0).map(Math.log10);
    const lo = Math.floor(Math.min(-1, ...logs, act.bound ? Math.log10(act.bound) * n : 0));
    const hi = Math.ceil(Math.max(1, ...logs));
    const step = Math.max(1, Math.ceil((hi - lo) / 6));
    const sx = scale(-0.5, data.depth - 0.5, b.x, b.x + b.w), sy = scale(lo, hi, b.y + b.h, b.y);
    const xt = [];
    for (let k = 0; k < data.depth; k += 5) xt.push([sx(k), String(k)]);
    const chartTitle = narrow ? "梯度经过 n 层后还剩多少（← 反向）" : "梯度经过 n 层之后还剩多少（← 反向，从最后一个隐藏层往回数）";
    body += frame(b, xt, logTicks(lo, hi, step, sy), chartTitle, "经过的层数 n", "相对大小（对数）");
    const bw = (b.w / data.depth) * 0.7;
    through.forEach((v, k) => {
      if (k > n || !(v > 0)) return;
      const top = sy(clamp(Math.log10(v), lo, hi));
      const cls = k === n ? "ex-bar ex-current" : "ex-bar";
      body += `<rect class="${cls}" fill="${act.color}" x="${(sx(k) - bw / 2).toFixed(1)}" y="${Math.min(top, sy(0)).toFixed(1)}" width="${bw.toFixed(1)}" height="${Math.abs(sy(0) - top).toFixed(1)}"/>`;
    });
    if (act.bound) {
      const pts = [];
      for (let k = 0; k <= n; k++) pts.push([sx(k), sy(clamp(k * Math.log10(act.bound), lo, hi))]);
      body += line(pts, 'class="ex-bound" stroke-dasharray="6 4" stroke-width="2"');
      body += label(sx(n) + 6, sy(clamp(n * Math.log10(act.bound), lo, hi)) + 4, "参照 0.25ⁿ", 'class="ex-note"');
    }
    const v = through[n];
    let text = `${act.label}：梯度往回经过 ${n} 层后是原来的 ${fmt(v)} 倍`;
    if (act.bound) text += `（参照线 0.25ⁿ = ${fmt(Math.pow(0.25, n))}：每层只乘 σ′ 的最大值 0.25）`;
    text += "。";
    return { svg: svg(W, narrow ? 630 : 450, body, text), text };
  }

  // ------------------------------------------------------------------ 2. initialisation and depth
  function initDepth(data, state) {
    const scaleValue = data.scales[clamp(Number(state.scaleIndex), 0, data.scales.length - 1)];
    const key = `${state.init}|${state.activation}|${Number(scaleValue.toPrecision(6))}`;
    const run = data.runs[key];
    const L = clamp(Number(state.depth), 1, data.depth);
    const init = data.inits.find((i) => i.name === state.init);
    const act = data.activations.find((a) => a.name === state.activation);
    const lo = -10, hi = 10;
    let body = "";
    const panel = (b, values, title, reverse) => {
      const sx = reverse ? scale(L + 0.5, 0.5, b.x, b.x + b.w) : scale(0.5, L + 0.5, b.x, b.x + b.w);
      const sy = scale(lo, hi, b.y + b.h, b.y);
      const xt = [];
      const every = L > 15 ? 5 : L > 6 ? 2 : 1;
      for (let k = 1; k <= L; k++) if (k === 1 || k % every === 0) xt.push([sx(k), String(k)]);
      let out = frame(b, xt, logTicks(lo, hi, 5, sy), title, reverse ? "← 反向：第 l 层" : "第 l 层 →", "标准差（对数）");
      out += `<line class="ex-zero" x1="${b.x}" x2="${b.x + b.w}" y1="${sy(0)}" y2="${sy(0)}"/>`;
      const pts = [];
      for (let k = 1; k <= L; k++) {
        const v = values[k - 1];
        const lv = v > 0 ? Math.log10(v) : lo;
        pts.push([sx(k), sy(clamp(lv, lo, hi))]);
        if (lv < lo || lv > hi) out += `<circle class="ex-clip" cx="${sx(k)}" cy="${sy(clamp(lv, lo, hi))}" r="4"/>`;
      }
      out += line(pts, `stroke="${init.color}" stroke-width="2.5"`);
      out += pts.map(([x, y]) => `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="2.5" fill="${init.color}"/>`).join("");
      return out;
    };
    const narrow = Boolean(state.narrow);
    const W = narrow ? 360 : 660, H = narrow ? 560 : 285;
    const [p1, p2] = narrow
      ? [{ x: 60, y: 30, w: 280, h: 190 }, { x: 60, y: 290, w: 280, h: 190 }]
      : [{ x: 60, y: 30, w: 240, h: 200 }, { x: 390, y: 30, w: 240, h: 200 }];
    body += label(W - 6, H - 13, "红圈：超出坐标范围（10⁻¹⁰ 到 10¹⁰）的值", 'text-anchor="end" class="ex-note"');
    body += panel(p1, run.forward, "前向：std(z_l)", false);
    body += panel(p2, run.backward, "反向：std(δ_l)", true);
    const text =
      `${init.label} × ${scaleValue}，${act.label}，宽 ${data.width}：` +
      `第 ${L} 层前向标准差 ${fmt(run.forward[L - 1])}（第 1 层 ${fmt(run.forward[0])}）；` +
      `梯度从第 ${L} 层传回第 1 层后标准差 ${fmt(run.backward[0])}（第 ${L} 层 ${fmt(run.backward[L - 1])}）。`;
    return { svg: svg(W, H, body, text), text };
  }

  // ------------------------------------------------------------------ 3. training
  function training(data, state) {
    const lr = data.lrs[clamp(Number(state.lrIndex), 0, data.lrs.length - 1)];
    const key = `${Number(lr.toPrecision(6))}|${state.init}|${state.activation}`;
    const run = data.runs[key];
    const k = clamp(Number(state.snapshot), 0, data.snapshots.length - 1);
    const step = data.snapshots[k];
    const act = data.activations.find((a) => a.name === state.activation);
    const init = data.inits.find((i) => i.name === state.init);
    let body = "";
    // Loss curve (linear axis 0..3; larger values sit on the top edge, marked).
    const narrow = Boolean(state.narrow);
    const W = narrow ? 360 : 660, H = narrow ? 560 : 280;
    const [b, r] = narrow
      ? [{ x: 60, y: 30, w: 280, h: 190 }, { x: 70, y: 300, w: 260, h: 236 }]
      : [{ x: 60, y: 30, w: 260, h: 200 }, { x: 380, y: 30, w: 220, h: 200 }];
    const sx = scale(0, data.steps, b.x, b.x + b.w), sy = scale(0, 3, b.y + b.h, b.y);
    body += frame(b, [0, 50, 100, 150, 200].map((v) => [sx(v), String(v)]), [0, 1, 2, 3].map((v) => [sy(v), String(v)]), "训练损失（交叉熵）", "步数", "损失");
    body += `<line class="ex-bound" stroke-dasharray="6 4" x1="${b.x}" x2="${b.x + b.w}" y1="${sy(Math.LN2)}" y2="${sy(Math.LN2)}"/>`;
    body += label(b.x + b.w - 4, sy(Math.LN2) - 5, "ln 2（瞎猜）", 'text-anchor="end" class="ex-note"');
    const pts = [];
    run.loss.forEach((v, t) => pts.push([sx(t), sy(v === null ? 3 : clamp(v, 0, 3))]));
    body += line(pts, `stroke="${init.color}" stroke-width="2"`);
    body += `<line class="ex-cursor" x1="${sx(step)}" x2="${sx(step)}" y1="${b.y}" y2="${b.y + b.h}"/>`;
    // Decision regions at the snapshot, and the points.
    const [x0, x1, y0, y1] = data.extent;
    const px = scale(x0, x1, r.x, r.x + r.w), py = scale(y0, y1, r.y + r.h, r.y);
    const g = data.grid, cw = r.w / (g - 1), ch = r.h / (g - 1);
    const cells = run.regions[k];
    // One path per class (runs of equal cells merged along each row): few DOM nodes.
    const paths = ["", ""];
    for (let i = 0; i < g; i++) {
      const cy = r.y + r.h - i * ch - ch / 2;
      let j = 0;
      while (j < g) {
        const c = cells[i * g + j];
        let e = j;
        while (e + 1 < g && cells[i * g + e + 1] === c) e++;
        const cx = r.x + j * cw - cw / 2;
        paths[c] += `M${cx.toFixed(1)} ${cy.toFixed(1)}h${((e - j + 1) * cw).toFixed(1)}v${ch.toFixed(1)}h${(-(e - j + 1) * cw).toFixed(1)}z`;
        j = e + 1;
      }
    }
    body += `<svg x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" viewBox="${r.x} ${r.y} ${r.w} ${r.h}" overflow="hidden">`;
    paths.forEach((d, c) => { if (d) body += `<path class="ex-region${c}" d="${d}"/>`; });
    body += "</svg>";
    body += `<rect class="ex-box" x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}"/>`;
    const dots = ["", ""];
    for (const [a, c, y] of data.points)
      dots[y] += `M${(px(a) - 2.6).toFixed(1)} ${py(c).toFixed(1)}a2.6 2.6 0 1 0 5.2 0a2.6 2.6 0 1 0 -5.2 0z`;
    dots.forEach((d, c) => { if (d) body += `<path class="ex-point${c}" d="${d}"/>`; });
    body += label(r.x + r.w / 2, r.y - 8, `第 ${step} 步的决策区域`, 'text-anchor="middle" class="ex-title"');
    const loss = step < run.loss.length ? run.loss[step] : run.loss[run.loss.length - 1];
    const text =
      `学习率 ${lr}，${init.label}，${act.label}：第 ${step} 步训练损失 ${fmt(loss)}；` +
      `训练 ${data.steps} 步后训练准确率 ${fmt(run.accuracy)}。`;
    return { svg: svg(W, H, body, text), text };
  }

  const RENDER = { "activation-depth": activationDepth, "init-depth": initDepth, training };

  function render(data, state) {
    const fn = RENDER[data.kind];
    if (!fn) throw new Error(`unknown explorer kind ${data.kind}`);
    return fn(data, state);
  }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = { render, fmt };
    return;
  }

  // ------------------------------------------------------------------ the page
  function setUp(root) {
    const data = JSON.parse(root.querySelector("script.explorer-data").textContent);
    // Both layouts are in the page (CSS shows the narrow one below 520 px of width): redrawing
    // them keeps every size, so nothing below the figure moves when the script starts.
    const wide = root.querySelector(".explorer-figure .ex-wide");
    const narrow = root.querySelector(".explorer-figure .ex-narrow");
    const output = root.querySelector("output");
    const controls = [...root.querySelectorAll("[data-key]")];
    const update = () => {
      const state = {};
      for (const c of controls) {
        state[c.dataset.key] = c.value;
        const shown = root.querySelector(`[data-shows="${c.id}"]`);
        if (shown && c.dataset.labels) shown.textContent = JSON.parse(c.dataset.labels)[Number(c.value)];
        if (c.type === "range" && c.dataset.labels)
          c.setAttribute("aria-valuetext", JSON.parse(c.dataset.labels)[Number(c.value)]);
      }
      const drawn = render(data, { ...state, narrow: false });
      wide.innerHTML = drawn.svg;
      narrow.innerHTML = render(data, { ...state, narrow: true }).svg;
      output.textContent = drawn.text;
    };
    for (const c of controls) {
      c.addEventListener("input", update);
      c.disabled = false;  // usable once the script runs (visible from the start: no shift)
    }
    update();
  }

  const start = () => document.querySelectorAll("figure.explorer").forEach(setUp);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
