/**
 * The dashboard's script, plain browser JavaScript (no template literals inside, so it can
 * live in a TypeScript string). Data goes into the page through textContent only.
 */
export const DASHBOARD_SCRIPT = String.raw`
(function () {
  'use strict'
  var TOKEN_KEY = 'patternmesh.apiToken'
  var POLL_MS = 2000
  var MAX_FEED = 200
  var state = { status: null, principal: null, anomalies: [], seen: {}, backoff: 500, socket: null }
  var $ = function (id) { return document.getElementById(id) }

  function short(id) { return id ? (id.length > 16 ? id.slice(0, 8) + '…' + id.slice(-6) : id) : '–' }
  function ago(ms) {
    if (ms === null || ms === undefined) return '–'
    var s = Math.max(0, Math.round((Date.now() - ms) / 1000))
    return s < 60 ? s + ' s ago' : Math.round(s / 60) + ' min ago'
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag)
    if (cls) node.className = cls
    if (text !== undefined && text !== null) node.textContent = String(text)
    return node
  }

  function token() {
    var hash = new URLSearchParams(location.hash.slice(1))
    var fromHash = hash.get('token')
    if (fromHash) {
      sessionStorage.setItem(TOKEN_KEY, fromHash)
      history.replaceState(null, '', location.pathname + location.search)
    }
    return sessionStorage.getItem(TOKEN_KEY)
  }

  async function getJson(path) {
    var res = await fetch(path, { cache: 'no-store' })
    if (!res.ok) throw new Error(path + ': ' + res.status)
    return await res.json()
  }

  function renderStatus(s) {
    state.status = s
    state.principal = s.principal
    $('peer-id').textContent = short(s.peerId)
    $('peer-id').title = s.peerId || ''
    $('mesh-id').textContent = s.meshId
    $('step').textContent = s.step
    $('principal').textContent = s.principal ? short(s.principal) + (s.principal === s.peerId ? ' (this node)' : '') : 'none'
    $('principal').title = s.principal || ''
    $('term').textContent = s.term
    $('roles').textContent = (s.roles || []).join(', ') + (s.observer ? ' · observer' : '')
  }

  function roleOf(p) {
    if (p.observer) return 'observer'
    if (state.principal && p.peerId === state.principal) return 'principal'
    return (p.roles && p.roles.length) ? p.roles.join(', ') : 'member'
  }

  function renderPeers(body) {
    var rows = $('members')
    rows.replaceChildren()
    var peers = body.peers.slice()
    if (state.status && state.status.peerId) {
      peers.unshift({ peerId: state.status.peerId, status: 'alive', roles: state.status.roles,
        weight: state.status.weight === undefined ? null : state.status.weight,
        step: state.status.step, observer: state.status.observer, lastSeen: Date.now(), self: true })
    }
    $('member-count').textContent = peers.length
    if (peers.length === 0) {
      var tr0 = el('tr'); var td0 = el('td', 'empty', 'no members yet'); td0.colSpan = 8; tr0.append(td0); rows.append(tr0)
      return
    }
    peers.forEach(function (p) {
      var tr = el('tr')
      tr.dataset.peer = p.peerId
      tr.dataset.status = p.status
      var id = el('td', 'id', short(p.peerId) + (p.self ? ' (this node)' : ''))
      id.title = p.peerId
      var st = el('td'); st.append(el('span', 'pill status-' + p.status, p.status))
      if (p.connected === false && p.status === 'alive') st.append(el('span', 'muted', ' not connected'))
      tr.append(id, st, el('td', null, roleOf(p)), el('td', null, p.weight === null || p.weight === undefined ? '–' : p.weight),
        el('td', null, p.step === null || p.step === undefined ? '–' : p.step),
        el('td', null, p.messagesPerSecond === undefined ? '–' : p.messagesPerSecond),
        el('td', null, p.anomalies === undefined ? 0 : p.anomalies), el('td', null, p.self ? 'now' : ago(p.lastSeen)))
      rows.append(tr)
    })
  }

  function renderNetwork(m) {
    $('m-nodes').textContent = m.totalNodes
    $('m-rate').textContent = m.messagesPerSecond
    $('m-latency').textContent = m.averageLatency === null ? '–' : m.averageLatency + ' ms'
    $('m-mismatch').textContent = m.patternMismatches
    var health = $('m-health')
    health.textContent = Math.round(m.networkHealth * 100) + ' %'
    health.style.color = m.networkHealth >= 0.9 ? 'var(--ok)' : m.networkHealth >= 0.6 ? 'var(--warn)' : 'var(--bad)'
  }

  function addAnomaly(a, fresh) {
    if (state.seen[a.id]) return
    state.seen[a.id] = true
    state.anomalies.unshift(a)
    var feed = $('feed')
    var empty = feed.querySelector('.empty')
    if (empty) empty.remove()
    var li = el('li', fresh ? 'new' : '')
    li.dataset.kind = a.kind
    li.dataset.peer = a.peerId || ''
    var top = el('div', 'top')
    top.append(el('span', 'pill ' + a.severity, a.severity), el('span', 'kind', a.kind),
      el('span', 'peer', 'peer ' + short(a.peerId)), el('span', 'when', new Date(a.at).toLocaleTimeString()))
    if (a.count > 1) top.append(el('span', 'when', '×' + a.count))
    if (a.source) {
      li.dataset.source = a.source
      top.append(el('span', 'pill source-' + a.source, a.source === 'reported' ? 'reported' : 'seen here'))
    }
    if (a.witnesses && a.witnesses.length) {
      var w = el('span', 'witnesses', a.witnesses.length + (a.witnesses.length === 1 ? ' witness' : ' witnesses') + ': ' + a.witnesses.map(short).join(', '))
      w.title = a.witnesses.join('\n')
      top.append(w)
    }
    li.append(top, el('div', 'detail', a.detail))
    li.title = a.peerId || ''
    feed.prepend(li)
    while (feed.children.length > MAX_FEED) feed.lastElementChild.remove()
    $('anomaly-count').textContent = state.anomalies.length
  }

  async function poll() {
    try { renderStatus(await getJson('/v1/status')) } catch (e) { /* node restarting */ }
    try { renderPeers(await getJson('/v1/peers')) } catch (e) { /* idem */ }
    try { renderNetwork(await getJson('/v1/metrics/network')) } catch (e) { /* no observer */ }
  }

  async function loadAnomalies() {
    try {
      var body = await getJson('/v1/anomalies?limit=100')
      body.anomalies.slice().reverse().forEach(function (a) { addAnomaly(a, false) })
    } catch (e) { /* later */ }
  }

  function setLive(text, on) { $('live').textContent = text; $('live').className = on ? 'on' : 'off' }

  /** The token prompt again, saying why (a refused token, or none yet). */
  function askToken(message) {
    sessionStorage.removeItem(TOKEN_KEY)
    setLive(message ? 'token refused' : 'offline', false)
    $('token-error').textContent = message || ''
    $('token-error').hidden = !message
    $('login').hidden = false
    $('token-input').focus()
  }

  /**
   * Whether the node takes the token. A browser cannot read the status of a refused WebSocket
   * upgrade, so the token is first tried on a plain GET of the stream: 426 (upgrade required)
   * means it was accepted, 401 that it was refused. Null: the node did not answer. The answer
   * also says what the token opens (X-Token-Access): a read token hides the write actions.
   */
  async function tokenAccepted(t) {
    try {
      var res = await fetch('/v1/events', { cache: 'no-store', headers: { Authorization: 'Bearer ' + t } })
      if (res.status === 401) return false
      setAccess(res.headers.get('X-Token-Access') || 'read')
      return true
    } catch (e) { return null }
  }

  /** 'read': the page hides every element marked write-action (a read token cannot write). */
  function setAccess(access) {
    document.body.classList.toggle('read-only', access !== 'admin')
    $('access').textContent = access === 'admin' ? 'admin' : 'read-only'
  }

  function retry() {
    setTimeout(connect, state.backoff)
    state.backoff = Math.min(state.backoff * 2, 10000)
  }

  async function connect() {
    var t = token()
    if (!t) { askToken(''); return }
    var accepted = await tokenAccepted(t)
    if (accepted === false) { askToken('This node refused the token. Check the api-read-token (or api-token) file in its data dir, or --api-read-token, and enter it again.'); return }
    if (accepted === null) { setLive('offline (retrying)', false); retry(); return }
    $('login').hidden = true
    $('token-error').hidden = true
    var scheme = location.protocol === 'https:' ? 'wss://' : 'ws://'
    var ws = new WebSocket(scheme + location.host + '/v1/events?types=anomaly,member,role,step&token=' + encodeURIComponent(t))
    state.socket = ws
    ws.onopen = function () { state.backoff = 500; setLive('live', true); loadAnomalies() }
    ws.onmessage = function (msg) {
      var ev
      try { ev = JSON.parse(msg.data) } catch (e) { return }
      if (ev.type === 'anomaly') addAnomaly(ev, true)
      else if (ev.type === 'step') $('step').textContent = ev.step
      else if (ev.type === 'member' || ev.type === 'role') poll()
    }
    // Closed or refused: connect() checks the token again before it retries.
    ws.onclose = function () { setLive('offline (retrying)', false); retry() }
  }

  $('login').addEventListener('submit', function (e) {
    e.preventDefault()
    var v = $('token-input').value.trim()
    if (v) { sessionStorage.setItem(TOKEN_KEY, v); state.backoff = 500; connect() }
  })

  poll()
  loadAnomalies()
  setInterval(poll, POLL_MS)
  connect()
})()
`
