/** The dashboard's stylesheet (no build step: served as it is). */
export const DASHBOARD_CSS = String.raw`
:root { color-scheme: light dark; --bg: #0f1419; --panel: #1a2129; --line: #2c3642; --text: #e6edf3;
  --muted: #8b98a5; --ok: #3fb950; --warn: #d29922; --bad: #f85149; --info: #58a6ff; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--text); }
header { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: baseline; padding: 14px 20px; border-bottom: 1px solid var(--line); }
header h1 { font-size: 18px; margin: 0; }
header .kv { color: var(--muted); }
header .kv b { color: var(--text); font-weight: 600; }
main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; padding: 16px 20px; }
@media (max-width: 1000px) { main { grid-template-columns: 1fr; } }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; min-width: 0; }
section h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 0 0 10px; }
.cards { grid-column: 1 / -1; display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.card .label { color: var(--muted); font-size: 12px; }
.card .value { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { color: var(--muted); font-weight: 500; font-size: 12px; }
td.id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.status-alive, .ok { background: rgba(63,185,80,.15); color: var(--ok); }
.status-suspect, .warning { background: rgba(210,153,34,.15); color: var(--warn); }
.status-dead, .critical { background: rgba(248,81,73,.15); color: var(--bad); }
.status-leaving, .info, .source-reported { background: rgba(88,166,255,.15); color: var(--info); }
.status-left, .source-local { background: rgba(139,152,165,.15); color: var(--muted); }
.status-left { text-decoration: line-through; }
tr[data-status="left"] td, tr[data-status="dead"] td { opacity: .7; }
.muted, #feed li .witnesses { color: var(--muted); font-size: 12px; }
#token-error { color: var(--bad); font-weight: 600; }
#feed { list-style: none; margin: 0; padding: 0; max-height: 60vh; overflow: auto; }
#feed li { padding: 8px 0; border-bottom: 1px solid var(--line); }
#feed li .top { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
#feed li .kind { font-weight: 600; }
#feed li .when, #feed li .peer { color: var(--muted); font-size: 12px; }
#feed li .detail { color: var(--muted); font-size: 12px; margin-top: 2px; word-break: break-word; }
#feed li.new { animation: flash 1.5s ease-out; }
@keyframes flash { from { background: rgba(248,81,73,.25); } to { background: transparent; } }
.empty { color: var(--muted); font-style: italic; }
#live.on { color: var(--ok); } #live.off { color: var(--bad); }
form#login { padding: 40px 20px; max-width: 520px; }
form#login input { width: 100%; padding: 8px; margin: 8px 0; background: var(--panel); color: var(--text); border: 1px solid var(--line); border-radius: 6px; }
form#login button { padding: 8px 16px; border-radius: 6px; border: 0; background: var(--info); color: #fff; font-weight: 600; cursor: pointer; }
[hidden] { display: none !important; }
body.read-only .write-action { display: none !important; }
`
