/**
 * The dashboard with the read-only token, in real headless Chromium: it lists the members and
 * goes live on the event stream, says the access is read-only, hides write actions, and sends
 * nothing but GETs. With the admin token the same page shows write actions.
 */
import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MeshFixture, connect } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'
import { ApiFixture, READ_TOKEN, TOKEN } from './helpers.js'

const CHROMIUM = '/usr/bin/chromium'
const fixture = new MeshFixture()
const apis = new ApiFixture()
let browser: Browser

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`)
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  })
}, 30_000)
afterAll(async () => await browser?.close())
afterEach(async () => {
  await apis.stopAll()
  await fixture.stopAll()
})

/** A write action as a future one would be marked; whether the page shows it. */
async function writeActionShown(page: Page): Promise<boolean> {
  // A string: the test is compiled without the DOM types.
  await page.evaluate(`(() => {
    const button = document.createElement('button')
    button.className = 'write-action'
    button.id = 'probe-write-action'
    button.textContent = 'issue advice'
    document.querySelector('main').append(button)
  })()`)
  return await page.isVisible('#probe-write-action')
}

describe('dashboard with a read-only token (headless Chromium)', () => {
  it('goes live, lists the members, says read-only, hides write actions, and only reads', async () => {
    const services = { services: {} }
    const watched = await fixture.node({}, services)
    const peer = await fixture.node({}, services)
    await connect(peer, watched)
    await until(() => (watched.members?.members().length ?? 0) === 1, { message: 'member heard' })
    const api = await apis.start(watched)

    const page = await browser.newPage()
    const errors: string[] = []
    const methods = new Set<string>()
    page.on('pageerror', (err) => errors.push(err.message))
    page.on('request', (request) => methods.add(request.method()))
    await page.goto(`${api.base}/#token=${READ_TOKEN}`)
    await page.waitForSelector('#live.on', { timeout: 10_000 })
    await page.waitForSelector(`#members tr[data-peer="${peer.peerId}"]`, { timeout: 10_000 })
    expect(await page.isHidden('#login')).toBe(true)
    expect(await page.textContent('#access')).toBe('read-only')
    expect(await writeActionShown(page)).toBe(false)
    expect([...methods]).toEqual(['GET'])
    expect(errors).toEqual([])
    await page.close()
  }, 60_000)

  it('with the admin token the page says admin and shows write actions', async () => {
    const api = await apis.start(await fixture.node())
    const page = await browser.newPage()
    await page.goto(`${api.base}/#token=${TOKEN}`)
    await page.waitForSelector('#live.on', { timeout: 10_000 })
    expect(await page.textContent('#access')).toBe('admin')
    expect(await writeActionShown(page)).toBe(true)
    await page.close()
  }, 60_000)
})
