import { generateKeyPair } from '@libp2p/crypto/keys'
import { describe, expect, it } from 'vitest'
import { checkEvidence, evidenceOf } from '../../../src/observer/anomaly-reports/index.js'
import { signedMessage } from './signed-message.js'

describe('anomaly report evidence', () => {
  it('carries a signed gossip message that any member can check', async () => {
    const message = await signedMessage(Buffer.from('forged frame'))
    const evidence = evidenceOf(message)!
    expect(evidence).toMatchObject({ from: message.from.toString(), seqno: '0123456789abcdef' })
    expect(evidence.key).toBeUndefined() // an Ed25519 peer id inlines its key
    const checked = await checkEvidence(evidence)
    expect(checked).toEqual({
      ok: true,
      evidence: { from: evidence.from, topic: message.topic, data: Buffer.from('forged frame') },
    })
  })

  it('checks a secp256k1 signer too', async () => {
    const privateKey = await generateKeyPair('secp256k1')
    const evidence = evidenceOf(await signedMessage(Buffer.from('x'), { privateKey }))!
    expect((await checkEvidence(evidence)).ok).toBe(true)
  })

  it.each([
    [
      'data',
      { data: Buffer.from('another frame').toString('base64') },
      /signature of .* does not verify/,
    ],
    ['topic', { topic: '/patternmesh/test/control/1' }, /does not verify/],
    ['seqno', { seqno: '0123456789abcdee' }, /does not verify/],
    ['signature', { signature: Buffer.alloc(64).toString('base64') }, /does not verify/],
    [
      'from (another peer)',
      { from: '12D3KooWQNbDPR1PXmT7HT4g4JuuuaM5P2D42SYDy8rF6k2Hcny6' },
      /does not verify/,
    ],
    ['seqno (not hex)', { seqno: 'xyz' }, /seqno is not 16 hex digits/],
    ['data (not base64)', { data: '!!' }, /data is not base64/],
    ['from (not a peer id)', { from: 'nobody' }, /from is not a peer id: nobody/],
    ['key (not a key)', { key: 'AAAA' }, /key does not decode/],
  ])('refuses evidence whose %s was changed, saying why', async (_field, change, why) => {
    const evidence = evidenceOf(await signedMessage(Buffer.from('frame')))!
    const checked = await checkEvidence({ ...evidence, ...change })
    expect(checked.ok).toBe(false)
    expect(checked.ok ? '' : checked.detail).toMatch(why)
  })

  it('refuses a key that is not the key of from', async () => {
    const other = await generateKeyPair('secp256k1')
    const evidence = evidenceOf(await signedMessage(Buffer.from('frame')))!
    const { publicKeyToProtobuf } = await import('@libp2p/crypto/keys')
    const key = Buffer.from(publicKeyToProtobuf(other.publicKey)).toString('base64')
    expect(await checkEvidence({ ...evidence, key })).toEqual({
      ok: false,
      detail: 'evidence: key is not the key of from',
    })
  })

  it('has no evidence for an unsigned or too large message', async () => {
    expect(evidenceOf({ type: 'unsigned', topic: 't', data: new Uint8Array(1) })).toBeUndefined()
    const big = await signedMessage(new Uint8Array(100))
    expect(evidenceOf(big, 99)).toBeUndefined()
    expect(evidenceOf(big, 100)).toBeDefined()
  })
})
