"""The review page: one self-contained HTML file (inline style and script, no network) beside its PNGs.

The page is drawn by its own script from the data embedded in it, so every text lands in the page as
text (never as markup). A reader marks each image accept, reject or unsure, rates its realism 1-5 and
may add a note; Export writes the filled review file as a download (a Blob and an ``<a download>``) and
into a text box on the page, for browsers that block downloads from files. Marks are kept in the
browser's local storage, so a reader can close the page and come back (Chromium does not always keep it for a
page opened from disk: see docs/review.md).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

_STYLE = """
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:1500px;
  padding:1em 2em;color:#1b1b1b;background:#fafafa}
h1{font-size:1.5em;margin:.2em 0}
h2{font-size:1.15em;margin:1.6em 0 .4em;border-bottom:1px solid #ccc}
.meta{color:#555}
.meta code{background:#eee;padding:0 .3em;border-radius:3px}
.bar{position:sticky;top:0;background:#fafafa;padding:.5em 0;border-bottom:1px solid #ddd;z-index:2;display:flex;
  gap:1em;align-items:center;flex-wrap:wrap}
.row{display:flex;gap:.6em;overflow-x:auto;padding:.4em 0}
figure{margin:0;background:#fff;border:1px solid #ddd;border-radius:6px;padding:.4em;width:220px;flex:0 0 auto}
figure.original{background:#eef3fb}
figure img{width:100%;image-rendering:pixelated;display:block;background:#000}
figcaption{font-size:12px}
.label{font-weight:600}
.params{color:#666;font-size:11px;word-break:break-word;max-height:5.5em;overflow:auto}
.controls{margin-top:.3em;font-size:12px}
.controls label{margin-right:.4em;white-space:nowrap}
.controls input[type=text]{width:95%}
.accept{outline:3px solid #2e9d4b}
.reject{outline:3px solid #d33}
.unsure{outline:3px solid #e0a400}
.grid{display:flex;flex-wrap:wrap;gap:.6em}
.findings li{color:#8a1c1c}
textarea{width:100%;height:12em;font:12px monospace}
button{font-size:14px;padding:.3em 1em}
"""

_SCRIPT = r"""
const DATA = JSON.parse(document.getElementById('review-data').textContent);
const STORE = 'safeaug-review:' + DATA.header.created + ':' + DATA.header.pipeline + ':' + DATA.public.length;
const marks = JSON.parse(localStorage.getItem(STORE) || '{}');
const byId = {}; DATA.items.forEach(it => { byId[it.id] = it; });
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) { if (v !== null && v !== undefined) e.setAttribute(k, v); }
  for (const k of kids) e.append(k);
  return e;
}
function save() { localStorage.setItem(STORE, JSON.stringify(marks)); progress(); }
function progress() {
  const done = DATA.public.filter(it => (marks[it.id] || {}).decision).length;
  document.getElementById('progress').textContent = done + ' of ' + DATA.public.length + ' images marked';
}
function card(id, blind) {
  const it = byId[id]; const m = marks[id] = marks[id] || {decision: null, realism: null, note: null};
  const fig = el('figure', {id: 'card-' + id, 'data-item': id});
  fig.append(el('img', {src: it.image, alt: blind ? 'image ' + id : it.label, loading: 'lazy'}));
  const cap = el('figcaption');
  cap.append(el('div', {class: 'label'}, blind ? 'image ' + id : it.label));
  if (!blind) cap.append(el('div', {class: 'params'}, it.parameters));
  const c = el('div', {class: 'controls'});
  for (const d of ['accept', 'reject', 'unsure']) {
    const r = el('input', {type: 'radio', name: 'd-' + id, id: id + '-' + d, value: d});
    if (m.decision === d) r.checked = true;
    r.addEventListener('change', () => { m.decision = d; fig.className = d; save(); });
    c.append(el('label', {for: id + '-' + d}, r, ' ' + d));
  }
  if (m.decision) fig.className = m.decision;
  const s = el('select', {id: id + '-realism', title: 'realism: 1 impossible ... 5 indistinguishable from real'});
  s.append(el('option', {value: ''}, 'realism'));
  for (let v = 1; v <= 5; v++) {
    const o = el('option', {value: String(v)}, String(v));
    if (m.realism === v) o.selected = true;
    s.append(o);
  }
  s.addEventListener('change', () => { m.realism = s.value ? Number(s.value) : null; save(); });
  const n = el('input', {type: 'text', id: id + '-note', placeholder: 'note'});
  n.value = m.note || '';
  n.addEventListener('input', () => { m.note = n.value.trim() ? n.value : null; save(); });
  c.append(el('div', {}, s), n);
  cap.append(c); fig.append(cap);
  return fig;
}
function original(path, source) {
  return el('figure', {class: 'original'}, el('img', {src: path, alt: 'original ' + source}),
            el('figcaption', {}, el('div', {class: 'label'}, 'original'), el('div', {class: 'params'}, source)));
}
function q(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return JSON.stringify(String(v));
}
function exportText() {
  const header = Object.assign({}, DATA.header);
  const name = document.getElementById('reviewer').value.trim();
  header.reviewer = name || null;
  header.reviewed = new Date().toISOString().slice(0, 10);
  const lines = ['# safeaug review, filled in by ' + (name || 'an unnamed reader') + ' on ' + header.reviewed + '.',
                 '# Next: safeaug review apply THIS.yaml [OTHER.yaml...] -o POLICY.yaml'];
  for (const [k, v] of Object.entries(header)) lines.push(k + ': ' + q(v));
  lines.push(DATA.public.length ? 'items:' : 'items: []');
  for (const it of DATA.public) {
    const m = marks[it.id] || {};
    const filled = Object.assign({}, it,
                                 {decision: m.decision || null, realism: m.realism || null, note: m.note || null});
    let first = true;
    for (const [k, v] of Object.entries(filled)) {
      lines.push((first ? '  - ' : '    ') + k + ': ' + q(v));
      first = false;
    }
  }
  return lines.join('\n') + '\n';
}
function doExport() {
  const text = exportText();
  document.getElementById('export-text').value = text;
  const name = document.getElementById('reviewer').value.trim().replace(/[^A-Za-z0-9_.-]+/g, '_') || 'reader';
  const url = URL.createObjectURL(new Blob([text], {type: 'application/x-yaml'}));
  const a = el('a', {href: url, download: 'review-' + name + '.yaml'});
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
const main = document.getElementById('main');
if (DATA.header.blind) {
  main.append(el('h2', {}, 'Blinded read: originals and augmented images, shuffled'));
  main.append(el('p', {}, 'Judge each image on its own: would you accept it as a real image of this kind? ' +
                          'Nothing tells which are originals.'));
  const g = el('div', {class: 'grid'});
  DATA.public.forEach(it => g.append(card(it.id, true)));
  main.append(g);
} else {
  for (const s of DATA.sections) {
    main.append(el('h2', {id: 'sec-' + s.effect + '-' + s.location}, s.title + ' ',
                   el('span', {class: 'meta'}, '(' + s.location + ')')));
    for (const r of s.rows) {
      const row = el('div', {class: 'row'}, original(r.original, r.source));
      r.cells.forEach(id => row.append(card(id, false)));
      main.append(row);
    }
  }
  if (DATA.draws.length) {
    main.append(el('h2', {}, 'Random draws of the whole pipeline'));
    const g = el('div', {class: 'grid'}); DATA.draws.forEach(id => g.append(card(id, false))); main.append(g);
  }
  if (DATA.random_only.length) {
    main.append(el('h2', {}, 'Shown only in random draws'));
    main.append(el('p', {}, 'These effects could not be pinned to one magnitude, so they appear only in the ' +
                            'random draws above.'));
    const ul = el('ul');
    for (const r of DATA.random_only) {
      ul.append(el('li', {}, r.transform + ' (' + r.location + '): ' + r.effect + ' — ' + r.why));
    }
    main.append(ul);
  }
}
document.getElementById('export').addEventListener('click', doExport);
progress();
"""


def _json(data: Any) -> str:
    # "<" escaped: no text in the data can close the script element
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace("&", "\\u0026")


def render(
    *,
    header: Mapping[str, Any],
    items: Sequence[Mapping[str, Any]],
    public: Sequence[Mapping[str, Any]],
    sections: Sequence[Mapping[str, Any]],
    draws: Sequence[str],
    random_only: Sequence[Mapping[str, str]],
    findings: Sequence[str],
    title: str,
) -> str:
    """The page's HTML."""
    blind = bool(header.get("blind"))
    shown = [
        {
            "id": it["id"],
            "image": it["image"],
            "label": "" if blind else it.get("label", ""),
            "parameters": "" if blind else it.get("parameters", ""),
        }
        for it in (public if blind else items)
    ]
    data = {
        "header": dict(header),
        "public": list(public),
        "items": shown,
        "sections": list(sections),
        "draws": list(draws),
        "random_only": list(random_only),
    }
    esc = html.escape
    found = ""
    if findings and not blind:
        found = (
            "<h2>What safeaug says about this pipeline</h2><ul class='findings'>"
            + "".join(f"<li>{esc(f)}</li>" for f in findings)
            + "</ul>"
        )
    meta = (
        f"<p class='meta'>Policy <code>{esc(str(header.get('policy')))}</code> · pipeline "
        f"<code>{esc(str(header.get('pipeline')))}</code> · built {esc(str(header.get('created')))}</p>"
    )
    intro = (
        "<p>Each row shows one effect of one transform at 25%, 50%, 75% and 100% of its bound in each direction, "
        "beside the original. Mark every image <b>accept</b> (a real image could look like this and the label still "
        "holds), <b>reject</b> or <b>unsure</b>; rate its realism from 1 (impossible) to 5 (indistinguishable from a "
        "real image); add a note where it helps. Then press <b>Export</b> and send the file to whoever runs "
        "<code>safeaug review apply</code>.</p>"
        if not blind
        else "<p>Mark every image <b>accept</b>, <b>reject</b> or <b>unsure</b>, rate its realism 1–5, then Export.</p>"
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; img-src 'self' file: data: blob:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{esc(title)}</title><style>{_STYLE}</style></head>
<body><h1>{esc(title)}</h1>{meta}{intro}
<div class="bar"><label>Your name <input type="text" id="reviewer" placeholder="reader"></label>
<span id="progress"></span><button id="export" type="button">Export review file</button></div>
{found}<div id="main"></div>
<h2>Exported review file</h2>
<p>Export also puts the file here, for browsers that block downloads from pages opened from disk.</p>
<textarea id="export-text" readonly></textarea>
<script type="application/json" id="review-data">{_json(data)}</script>
<script>{_SCRIPT}</script>
</body></html>
"""
