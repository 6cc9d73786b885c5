/**
 * The live dashboard (`GET /`): one self-contained HTML page, styles and script inline, no
 * build step at run time. It reads `/v1/status`, `/v1/peers`, `/v1/metrics/network` and
 * `/v1/anomalies`, and listens to `/v1/events` (which needs an API token, the read-only one is
 * enough: `#token=` in the URL or the form; kept in sessionStorage for the tab). Write actions
 * carry the class `write-action` and are hidden while the token is read-only.
 */
import { DASHBOARD_SCRIPT } from './script.js'
import { DASHBOARD_CSS } from './styles.js'

/** The page's icon: three linked nodes of a mesh (inline, so no extra route). */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0f1419"/><path d="M8 23 16 8l8 15Z" fill="none" stroke="#58a6ff" stroke-width="2"/><circle cx="16" cy="8" r="4" fill="#3fb950"/><circle cx="8" cy="23" r="4" fill="#58a6ff"/><circle cx="24" cy="23" r="4" fill="#58a6ff"/></svg>'

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>patternmesh dashboard</title>
<link rel="icon" type="image/svg+xml" href="data:image/svg+xml,${encodeURIComponent(FAVICON_SVG)}">
<style>${DASHBOARD_CSS}</style>
</head>
<body>
<header>
  <h1>patternmesh</h1>
  <span class="kv">node <b id="peer-id">…</b></span>
  <span class="kv">mesh <b id="mesh-id">…</b></span>
  <span class="kv">step <b id="step">…</b></span>
  <span class="kv">principal <b id="principal">…</b></span>
  <span class="kv">term <b id="term">…</b></span>
  <span class="kv">roles <b id="roles">…</b></span>
  <span class="kv">events <b id="live" class="off">offline</b></span>
  <span class="kv">access <b id="access">–</b></span>
</header>
<form id="login" hidden>
  <h2>API token</h2>
  <p id="token-error" role="alert" hidden></p>
  <p>The live event stream needs one of this node's API tokens: the read-only one is enough (the file <code>api-read-token</code> in its data dir, or <code>--api-read-token</code>). It stays in this tab only.</p>
  <input id="token-input" type="password" autocomplete="off" placeholder="token">
  <button type="submit">Connect</button>
</form>
<main>
  <div class="cards">
    <div class="card"><div class="label">nodes alive</div><div class="value" id="m-nodes">–</div></div>
    <div class="card"><div class="label">messages / s</div><div class="value" id="m-rate">–</div></div>
    <div class="card"><div class="label">avg latency</div><div class="value" id="m-latency">–</div></div>
    <div class="card"><div class="label">pattern mismatches</div><div class="value" id="m-mismatch">–</div></div>
    <div class="card"><div class="label">network health</div><div class="value" id="m-health">–</div></div>
  </div>
  <section>
    <h2>Members (<span id="member-count">0</span>)</h2>
    <table>
      <thead><tr><th>peer</th><th>status</th><th>role</th><th>weight</th><th>step</th><th>msg/s</th><th>anomalies</th><th>last seen</th></tr></thead>
      <tbody id="members"><tr><td colspan="8" class="empty">loading…</td></tr></tbody>
    </table>
  </section>
  <section>
    <h2>Anomalies (<span id="anomaly-count">0</span>)</h2>
    <ul id="feed"><li class="empty">none yet</li></ul>
  </section>
</main>
<script>${DASHBOARD_SCRIPT}</script>
</body>
</html>
`
