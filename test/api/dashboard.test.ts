/**
 * The dashboard in real headless Chromium (Debian's `chromium`, driven by playwright-core):
 * the page loads, lists the members, and a real forgery appears in the anomaly feed without a
 * reload. `.ci/run` installs chromium.
 */
import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { meshNodeView, type Anomaly, type PeerView } from '../../src/api/index.js'
import { ATTACKER_LIBP2P } from '../helpers/attackers.js'
import { MeshFixture, connect } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'
import { ApiFixture, TOKEN, withProviders } from './helpers.js'

const CHROMIUM = '/usr/bin/chromium'
const fixture = new MeshFixture()
const apis = new ApiFixture()
let browser: Browser

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`)
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}, 30_000)
afterAll(async () => await browser?.close())
afterEach(async () => {
  await apis.stopAll()
  await fixture.stopAll()
})

describe('dashboard (headless Chromium)', () => {
  it('lists the members and shows a forgery live, without a reload', async () => {
    const services = { services: {} }
    const watched = await fixture.node({ weight: 37 }, services)
    const peers = [await fixture.node({}, services), await fixture.node({}, services)]
    for (const peer of peers) await connect(peer, watched)
    await until(() => (watched.members?.members().length ?? 0) === 2, {
      message: 'both members heard',
    })
    const api = await apis.start(meshNodeView(watched))

    const page = await browser.newPage({ viewport: { width: 1400, height: 820 } })
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))
    await page.goto(`${api.base}/#token=${TOKEN}`)
    // The token left the URL for sessionStorage.
    await until(async () => !page.url().includes('token='), { message: 'token out of the URL' })
    for (const peer of peers)
      await page.waitForSelector(`#members tr[data-peer="${peer.peerId}"]`, { timeout: 10_000 })
    await page.waitForSelector('#live.on', { timeout: 10_000 })
    expect(await page.textContent('#peer-id')).not.toBe('…')
    const rowText = await page.textContent(`#members tr[data-peer="${peers[0]!.peerId}"]`)
    expect(rowText).toContain('alive')
    // This node's own row shows its weight (from /v1/status).
    await page.waitForSelector(`#members tr[data-peer="${watched.peerId}"]`, { timeout: 10_000 })
    expect(await page.textContent(`#members tr[data-peer="${watched.peerId}"]`)).toContain('37')

    // A real forgery: a node with another key joins and broadcasts.
    const forger = await fixture.node({ seed: 'not-the-key' }, { libp2p: ATTACKER_LIBP2P })
    await connect(forger, watched)
    const navigations: string[] = []
    page.on('framenavigated', (frame) => navigations.push(frame.url()))
    await until(
      async () => {
        await forger.broadcast('forged').catch(() => undefined)
        return (
          (await page.$(`#feed li[data-kind="PATTERN_MISMATCH"][data-peer="${forger.peerId}"]`)) !==
          null
        )
      },
      { timeout: 15_000, interval: 250, message: 'the forgery in the feed' },
    )
    expect(navigations).toEqual([]) // no reload
    await until(async () => (await page.textContent('#m-mismatch')) !== '0', {
      message: 'pattern mismatches counted on the page',
    })
    await page.screenshot({ path: '/tmp/patternmesh-dashboard.png', fullPage: true })
    expect(errors).toEqual([])
    await page.close()
  }, 60_000)

  it('says a refused token is refused, asks for it again, and connects with the right one', async () => {
    const api = await apis.start(await fixture.node())
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))
    const sockets: string[] = []
    page.on('websocket', (ws) => sockets.push(ws.url()))
    await page.goto(`${api.base}/#token=not-the-token-0123456789`)
    await page.waitForSelector('#login:not([hidden])', { timeout: 10_000 })
    await page.waitForSelector('#token-error:not([hidden])', { timeout: 10_000 })
    expect(await page.textContent('#token-error')).toMatch(/refused the token/)
    expect(await page.textContent('#live')).toBe('token refused')
    // The refused token is forgotten and never tried on the event stream.
    expect(await page.evaluate("sessionStorage.getItem('patternmesh.apiToken')")).toBeNull()
    expect(sockets).toEqual([])

    await page.fill('#token-input', TOKEN)
    await page.click('#login button')
    await page.waitForSelector('#live.on', { timeout: 10_000 })
    expect(await page.isHidden('#login')).toBe(true)
    expect(sockets).toHaveLength(1)
    expect(errors).toEqual([])
    await page.close()
  }, 60_000)

  it('has a favicon, shows each member status apart, and the witnesses and source of anomalies', async () => {
    const node = await fixture.node()
    const statuses = ['alive', 'suspect', 'dead', 'leaving', 'left'] as const
    const members: PeerView[] = statuses.map((status, i) => ({
      peerId: `12D3KooWPeer${i}${status}`,
      status,
      weight: 1,
      roles: ['member'],
      step: 1,
      lastSeen: Date.now(),
      observer: false,
    }))
    const anomaly: Anomaly & { witnesses: string[]; source: string } = {
      id: 'an-1',
      kind: 'PATTERN_MISMATCH',
      severity: 'critical',
      peerId: '12D3KooWForger',
      step: 1,
      at: Date.now(),
      detail: 'forged',
      witnesses: ['12D3KooWWitnessOne', '12D3KooWWitnessTwo'],
      source: 'reported',
    }
    const api = await apis.start(
      withProviders(node, { memberViews: () => members, anomalies: () => [anomaly] }),
    )
    const page = await browser.newPage({ viewport: { width: 1400, height: 820 } })
    await page.goto(`${api.base}/#token=${TOKEN}`)

    const icon = await page.getAttribute('link[rel="icon"]', 'href')
    expect(icon).toMatch(/^data:image\/svg\+xml,/)
    // The page's own scripts run in the browser; this one loads the icon there.
    const width = await page.evaluate(
      `new Promise((resolve) => { const image = new Image(); image.onload = () => resolve(image.naturalWidth); image.onerror = () => resolve(-1); image.src = ${JSON.stringify(icon)} })`,
    )
    expect(width).toBeGreaterThan(0)

    const colours = new Set<string>()
    for (const status of statuses) {
      const pill = `#members tr[data-status="${status}"]:not(:first-child) .pill`
      await page.waitForSelector(pill, { timeout: 10_000 })
      expect(await page.textContent(pill)).toBe(status)
      colours.add(
        await page.evaluate(
          `getComputedStyle(document.querySelector(${JSON.stringify(pill)})).color`,
        ),
      )
    }
    expect(colours.size).toBe(statuses.length)

    const item = '#feed li[data-source="reported"]'
    await page.waitForSelector(item, { timeout: 10_000 })
    const text = await page.textContent(item)
    expect(text).toContain('reported')
    expect(text).toContain('2 witnesses')
    await page.close()
  }, 60_000)
})
