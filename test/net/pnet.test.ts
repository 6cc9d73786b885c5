import { afterEach, describe, expect, it } from 'vitest'
import {
  DialFailedError,
  DialTimeoutError,
  dialWithTimeout,
  generatePskFile,
  type MeshLibp2p,
} from '../../src/net/index.js'
import { until } from '../helpers/until.js'
import { addrOf, Cleanup, isConnected, tcpNode } from './helpers.js'

const encoder = new TextEncoder()
/** Short, so the cases that run into it are quick; loopback dials take milliseconds. */
const DIAL_TIMEOUT_MS = 1_500
/** How far past its deadline a refused dial may settle (event loop, socket teardown). */
const SETTLE_MARGIN_MS = 2_000

function newPsk(): Uint8Array {
  return encoder.encode(generatePskFile())
}

/**
 * Mismatched PSKs make each side decrypt garbage: depending on the random bytes, the other
 * side's noise or multistream reader either fails at once or waits for a length it will never
 * get. Either way the dial must end by its deadline and leave no connection.
 */
async function expectRefusedInTime(from: MeshLibp2p, to: MeshLibp2p): Promise<void> {
  const started = performance.now()
  const outcome = await dialWithTimeout(from, addrOf(to), DIAL_TIMEOUT_MS).then(
    () => 'connected',
    (err: unknown) => err,
  )
  const elapsed = performance.now() - started
  expect(outcome).toSatisfy(
    (err) => err instanceof DialFailedError || err instanceof DialTimeoutError,
  )
  expect(elapsed).toBeLessThan(DIAL_TIMEOUT_MS + SETTLE_MARGIN_MS)
  expect(isConnected(from, to)).toBe(false)
}

describe('private network (pnet PSK)', () => {
  const cleanup = new Cleanup()
  afterEach(() => cleanup.run())

  it('connects two nodes with the same PSK', async () => {
    const psk = newPsk()
    const a = await tcpNode(cleanup, { psk, dialTimeoutMs: DIAL_TIMEOUT_MS })
    const b = await tcpNode(cleanup, { psk, dialTimeoutMs: DIAL_TIMEOUT_MS })

    const connection = await dialWithTimeout(a, addrOf(b), DIAL_TIMEOUT_MS)

    expect(connection.remotePeer.equals(b.peerId)).toBe(true)
    await until(() => isConnected(b, a), { message: 'B to see the connection' })
    expect(await a.services.ping.ping(b.peerId)).toBeGreaterThanOrEqual(0)
  })

  it('refuses a node with a different PSK', async () => {
    const a = await tcpNode(cleanup, { psk: newPsk(), dialTimeoutMs: DIAL_TIMEOUT_MS })
    const b = await tcpNode(cleanup, { psk: newPsk(), dialTimeoutMs: DIAL_TIMEOUT_MS })

    await expectRefusedInTime(a, b)
    await expectRefusedInTime(b, a)
  })

  it('a PSK node dialing a node without one fails by the dial timeout instead of hanging', async () => {
    const private_ = await tcpNode(cleanup, { psk: newPsk(), dialTimeoutMs: DIAL_TIMEOUT_MS })
    const open = await tcpNode(cleanup, { dialTimeoutMs: DIAL_TIMEOUT_MS })

    await expectRefusedInTime(private_, open)
  })

  it('a node without a PSK dialing a PSK node fails by the dial timeout too', async () => {
    const private_ = await tcpNode(cleanup, { psk: newPsk(), dialTimeoutMs: DIAL_TIMEOUT_MS })
    const open = await tcpNode(cleanup, { dialTimeoutMs: DIAL_TIMEOUT_MS })

    await expectRefusedInTime(open, private_)
  })
})
