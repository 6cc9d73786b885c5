import { describe, expect, it } from 'vitest'
import { libp2pLogger } from '../../src/net/libp2p-logger.js'

describe('libp2pLogger', () => {
  it('is silent without DEBUG, and libp2p’s own logger (undefined here) with it', () => {
    const silent = libp2pLogger({})!
    const log = silent.forComponent('libp2p:test')
    expect(log.enabled).toBe(false)
    expect(log.newScope('child').enabled).toBe(false)
    expect(() => {
      log('a %s', 'message')
      log.error('an error')
      log.trace('a trace')
    }).not.toThrow()
    expect(libp2pLogger({ DEBUG: 'libp2p:*' })).toBeUndefined()
    expect(libp2pLogger({ DEBUG: '' })).toBeDefined()
  })
})
