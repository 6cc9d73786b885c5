/** A stamped advice record for pure tests of the advice modules: a CONFIG of stepWindow by P1. */
import type { Advice } from '../../src/advice/index.js'

export function adviceRecord(over: Partial<Advice> = {}): Advice {
  return {
    id: 'a',
    type: 'CONFIG',
    target: ['*'],
    payload: { stepWindow: 3 },
    expiry: 10_000,
    issuer: 'P1',
    origin: 'P1',
    term: 1,
    step: 100,
    issuedAt: 0,
    keys: ['config:stepWindow'],
    version: { 'config:stepWindow': { P1: 1 } },
    resolved: ['A', 'B'],
    ...over,
  }
}
