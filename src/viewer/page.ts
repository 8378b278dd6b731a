/**
 * The page shell and its stylesheet. Everything the page shows is built by /assets/app.js with DOM
 * APIs (text nodes only); this shell holds no data. No inline script or style: the Content-Security-
 * Policy allows only the server's own files.
 */
export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>agent-otel</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/style.css">
<link rel="stylesheet" href="/assets/vendor/uPlot.min.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body>
<header class="top">
  <a class="brand" href="#/runs">agent-otel</a>
  <nav>
    <a href="#/runs" data-nav="runs">Runs</a>
    <a href="#/llm" data-nav="llm">LLM calls</a>
    <a href="#/tools" data-nav="tools">Tool calls</a>
    <a href="#/charts" data-nav="charts">Charts</a>
    <a href="#/logs" data-nav="logs">Logs</a>
  </nav>
  <span id="status" class="status">connecting…</span>
</header>
<div id="notes" class="notes" hidden></div>
<main id="main"><p class="muted">Loading…</p></main>
<noscript>This viewer needs JavaScript (served from this machine; nothing is loaded from the internet).</noscript>
</body>
</html>
`;

export const STYLE_CSS = `
:root {
  --bg: #f6f7f9; --panel: #fff; --text: #1d2330; --muted: #6b7280; --line: #e3e6eb; --accent: #2563eb;
  --ok: #15803d; --err: #dc2626; --err-bg: #fef2f2; --warn: #b45309; --warn-bg: #fffbeb; --run: #0369a1;
  --bar: #60a5fa; --bar-llm: #a78bfa; --bar-tool: #34d399; --bar-run: #f59e0b; --sel: #eff6ff;
  font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; font-size: 14px;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, .mono, pre { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
.top { display: flex; align-items: center; gap: 24px; padding: 0 20px; height: 48px; background: #111827; color: #e5e7eb; position: sticky; top: 0; z-index: 5; }
.top .brand { color: #fff; font-weight: 700; letter-spacing: .3px; }
.top nav { display: flex; gap: 4px; }
.top nav a { color: #cbd5e1; padding: 6px 12px; border-radius: 6px; }
.top nav a.active { background: #374151; color: #fff; }
.top nav a:hover { text-decoration: none; background: #1f2937; }
.status { margin-left: auto; color: #9ca3af; font-size: 12.5px; }
.status .dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: #22c55e; margin-right: 6px; }
.status.stale .dot { background: #ef4444; }
.notes { background: var(--warn-bg); color: var(--warn); padding: 8px 20px; border-bottom: 1px solid #fde68a; }
.notes p { margin: 2px 0; }
main { padding: 16px 20px 40px; }
h1 { font-size: 18px; margin: 4px 0 12px; }
h2 { font-size: 15px; margin: 0 0 8px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
.muted { color: var(--muted); }
.error-text { color: var(--err); }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: end; margin-bottom: 12px; }
.filters label { display: flex; flex-direction: column; gap: 3px; font-size: 12px; color: var(--muted); }
.filters select { font: inherit; padding: 4px 6px; border: 1px solid var(--line); border-radius: 6px; background: #fff; min-width: 140px; }
table.grid { width: 100%; border-collapse: collapse; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
table.grid th { text-align: left; font-weight: 600; font-size: 12px; color: var(--muted); background: #fafbfc; padding: 7px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
table.grid td { padding: 6px 10px; border-bottom: 1px solid #f0f1f4; vertical-align: top; }
table.grid tr:last-child td { border-bottom: 0; }
table.grid tbody tr.clickable { cursor: pointer; }
table.grid tbody tr.clickable:hover { background: var(--sel); }
table.grid td.num, table.grid th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.grid td.clip { max-width: 320px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; background: #eef2f7; color: #374151; white-space: nowrap; }
.badge.success, .badge.ok { background: #dcfce7; color: var(--ok); }
.badge.failed, .badge.error { background: #fee2e2; color: var(--err); }
.badge.abandoned { background: #fef3c7; color: var(--warn); }
.badge.running { background: #e0f2fe; color: var(--run); }
tr.status-abandoned td { background: #fffdf3; }
.pager { display: flex; gap: 10px; align-items: center; margin-top: 10px; color: var(--muted); }
.pager button, .btn { font: inherit; padding: 4px 12px; border: 1px solid var(--line); border-radius: 6px; background: #fff; cursor: pointer; }
.pager button:disabled { opacity: .45; cursor: default; }
.summary { display: flex; flex-wrap: wrap; gap: 18px; align-items: baseline; margin-bottom: 12px; }
.summary .item { color: var(--muted); }
.summary .item b { color: var(--text); font-weight: 600; }
.trace-layout { display: grid; grid-template-columns: minmax(0, 1fr) 420px; gap: 14px; align-items: start; }
.waterfall { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.wf-head, .wf-row { display: grid; grid-template-columns: minmax(220px, 38%) minmax(0, 1fr); }
.wf-head { background: #fafbfc; border-bottom: 1px solid var(--line); font-size: 11.5px; color: var(--muted); }
.wf-head .wf-label { padding: 6px 10px; }
.wf-scale { position: relative; height: 26px; }
.wf-scale span { position: absolute; top: 6px; transform: translateX(-50%); white-space: nowrap; }
.wf-scale span.first { transform: none; }
.wf-scale span.last { transform: translateX(-100%); }
.wf-row { border-bottom: 1px solid #f3f4f6; cursor: pointer; min-height: 26px; }
.wf-row:hover { background: #f9fafb; }
.wf-row.selected { background: var(--sel); box-shadow: inset 3px 0 0 var(--accent); }
.wf-row.error .wf-name { color: var(--err); font-weight: 600; }
.wf-row.error { background: var(--err-bg); }
.wf-row.error.selected { background: #fde2e2; }
.wf-label { padding: 4px 10px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; display: flex; gap: 6px; align-items: center; }
.wf-label .wf-guide { color: #c3c8d0; }
.wf-label .wf-tag { font-size: 11px; color: var(--muted); }
.wf-label .wf-err { font-size: 10.5px; font-weight: 700; color: #fff; background: var(--err); border-radius: 3px; padding: 0 4px; }
.wf-track { position: relative; border-left: 1px solid #f0f1f4; }
.wf-bar { position: absolute; top: 7px; height: 12px; border-radius: 3px; background: var(--bar); min-width: 2px; }
.wf-bar.llm { background: var(--bar-llm); }
.wf-bar.tool { background: var(--bar-tool); }
.wf-bar.run { background: var(--bar-run); }
.wf-row.error .wf-bar { background: var(--err); }
.wf-dur { position: absolute; top: 5px; font-size: 11px; color: var(--muted); white-space: nowrap; }
.details-box { position: sticky; top: 60px; }
.details { max-height: calc(100vh - 76px); overflow: auto; }
.details h2 { word-break: break-all; }
.kv { width: 100%; border-collapse: collapse; font-size: 12.5px; }
.kv td { padding: 3px 6px; border-bottom: 1px solid #f3f4f6; vertical-align: top; }
.kv td:first-child { color: var(--muted); white-space: nowrap; width: 1%; }
.kv td.v { word-break: break-word; white-space: pre-wrap; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.exception { border: 1px solid #fecaca; background: var(--err-bg); border-radius: 6px; padding: 8px 10px; }
.exception pre { white-space: pre-wrap; word-break: break-word; margin: 6px 0 0; max-height: 260px; overflow: auto; }
.event { border-left: 3px solid var(--line); padding: 2px 0 2px 8px; margin: 6px 0; }
details summary { cursor: pointer; color: var(--muted); margin: 10px 0 4px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 14px; }
.chart { min-height: 120px; }
.chart .empty { color: var(--muted); padding: 20px 0; }
.hbars { display: flex; flex-direction: column; gap: 5px; }
.hbar { display: grid; grid-template-columns: 150px minmax(0, 1fr) 170px; gap: 8px; align-items: center; font-size: 12.5px; }
.hbar .lbl { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.hbar .track { background: #f1f5f9; border-radius: 3px; height: 14px; position: relative; }
.hbar .fill { position: absolute; left: 0; top: 0; bottom: 0; border-radius: 3px; background: var(--bar); }
.hbar .val { color: var(--muted); font-variant-numeric: tabular-nums; }
.back { margin-bottom: 8px; display: inline-block; }
.filters input { font: inherit; padding: 4px 6px; border: 1px solid var(--line); border-radius: 6px; background: #fff; min-width: 160px; }
.badge.level-error, .badge.level-fatal { background: #fee2e2; color: var(--err); }
.badge.level-warn { background: #fef3c7; color: var(--warn); }
.badge.level-debug, .badge.level-trace { background: #f3f4f6; color: var(--muted); }
.log-msg { word-break: break-word; }
.log-msg .log-body { margin-right: 8px; }
.log-msg .log-attr { margin-right: 10px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
.log { border-left: 3px solid var(--line); padding: 3px 0 3px 8px; margin: 6px 0; font-size: 12.5px; }
.log.level-error, .log.level-fatal { border-left-color: var(--err); }
.log.level-warn { border-left-color: #f59e0b; }
.log .log-head { display: flex; gap: 6px; align-items: baseline; flex-wrap: wrap; }
.log pre { white-space: pre-wrap; word-break: break-word; margin: 4px 0 0; max-height: 200px; overflow: auto; }
@media (max-width: 1100px) { .trace-layout { grid-template-columns: 1fr; } .details-box { position: static; } .details { max-height: none; } }
`;
