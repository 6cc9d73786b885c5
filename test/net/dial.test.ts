import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { DialFailedError, DialTimeoutError, dialWithTimeout } from '../../src/net/index.js'
import { Cleanup, identity, tcpNode } from './helpers.js'

/** A TCP server that accepts connections and never says a byte: every dial to it hangs. */
async function silentServer(cleanup: Cleanup): Promise<number> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanup.defer(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return (server.address() as net.AddressInfo).port
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('dialWithTimeout', () => {
  const cleanup = new Cleanup()
  afterEach(() => cleanup.run())

  it('rejects with DialTimeoutError when the peer never answers', async () => {
    const node = await tcpNode(cleanup)
    const port = await silentServer(cleanup)
    const { peerId } = await identity()
    const target = `/ip4/127.0.0.1/tcp/${port}/p2p/${peerId}`

    const dial = dialWithTimeout(node, target, 300)

    await expect(dial).rejects.toBeInstanceOf(DialTimeoutError)
    await expect(dial).rejects.toMatchObject({
      name: 'DialTimeoutError',
      code: 'DIAL_TIMEOUT',
      target,
      timeoutMs: 300,
    })
  })

  it('rejects with DialFailedError, libp2p error as cause, when nothing listens', async () => {
    const node = await tcpNode(cleanup)
    const { peerId } = await identity()

    const dial = dialWithTimeout(node, `/ip4/127.0.0.1/tcp/${await closedPort()}/p2p/${peerId}`)

    await expect(dial).rejects.toBeInstanceOf(DialFailedError)
    await expect(dial).rejects.toMatchObject({ code: 'DIAL_FAILED', cause: expect.any(Error) })
  })

  it('rejects a target that is not a multiaddr with DialFailedError', async () => {
    const node = await tcpNode(cleanup)

    await expect(dialWithTimeout(node, 'not-an-address')).rejects.toMatchObject({
      code: 'DIAL_FAILED',
      target: 'not-an-address',
    })
  })

  it("passes the caller's own abort through unchanged", async () => {
    const node = await tcpNode(cleanup)
    const port = await silentServer(cleanup)
    const { peerId } = await identity()
    const controller = new AbortController()

    const dial = dialWithTimeout(node, `/ip4/127.0.0.1/tcp/${port}/p2p/${peerId}`, 5_000, {
      signal: controller.signal,
    })
    controller.abort()

    await expect(dial).rejects.toSatisfy(
      (err) => !(err instanceof DialTimeoutError) && !(err instanceof DialFailedError),
    )
  })
})
