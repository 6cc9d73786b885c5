/**
 * Runtime shims for Node 20. libp2p 3 targets Node 22: it calls `Promise.withResolvers`
 * (ES2024) and @libp2p/websockets dials with the global `WebSocket`. Both are no-ops on
 * Node 22+, where the built-ins exist. Import this module before anything from libp2p.
 */
import { WebSocket as WsWebSocket } from 'ws'

interface PromiseWithResolversShape<T> {
  promise: Promise<T>
  resolve: (value: T | PromiseLike<T>) => void
  reject: (reason?: unknown) => void
}

const promiseCtor = Promise as unknown as {
  withResolvers?: <T>() => PromiseWithResolversShape<T>
}

if (typeof promiseCtor.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(): PromiseWithResolversShape<T> {
      let resolve!: (value: T | PromiseLike<T>) => void
      let reject!: (reason?: unknown) => void
      const promise = new Promise<T>((res, rej) => {
        resolve = res
        reject = rej
      })
      return { promise, resolve, reject }
    },
  })
}

const globals = globalThis as unknown as { WebSocket?: unknown }
if (typeof globals.WebSocket === 'undefined') {
  globals.WebSocket = WsWebSocket
}

export {}
