import { describe, expect, it } from 'vitest'
import { apiEndpoint, parseApiUrl } from '../../src/cli/api-url.js'
import { formatStatus } from '../../src/cli/commands/status.js'
import { formatEvent } from '../../src/cli/observe-format.js'
import { cli, expectUsageError } from './run-cli.js'

describe('observe and status: usage', () => {
  it('needs a token for observe', async () => {
    const saved = process.env['PATTERNMESH_API_TOKEN']
    delete process.env['PATTERNMESH_API_TOKEN']
    try {
      expectUsageError(await cli('observe', 'http://127.0.0.1:7070'), 'API token')
    } finally {
      if (saved !== undefined) process.env['PATTERNMESH_API_TOKEN'] = saved
    }
  })

  it('refuses an unknown --kind and a bad URL', async () => {
    expectUsageError(
      await cli('observe', 'http://127.0.0.1:7070', '--token', 't', '--kind', 'REPLAY,NOPE'),
      'unknown anomaly kind "NOPE"',
    )
    expectUsageError(await cli('status', 'ftp://host'), 'expected http:// or https://')
    expectUsageError(await cli('status', 'http://'), 'not a URL')
  })
})

describe('parseApiUrl / apiEndpoint', () => {
  it.each([
    ['127.0.0.1:7070', '/v1/status', 'http://127.0.0.1:7070/v1/status'],
    ['http://127.0.0.1:7070/', '/v1/status', 'http://127.0.0.1:7070/v1/status'],
    ['https://mesh.example/node-a/', '/v1/status', 'https://mesh.example/node-a/v1/status'],
  ])('%s + %s → %s', (base, path, expected) => {
    expect(apiEndpoint(parseApiUrl(base), path)).toBe(expected)
  })

  it('turns the scheme into ws(s) for the event stream', () => {
    expect(apiEndpoint(parseApiUrl('https://h:1'), '/v1/events', true)).toBe('wss://h:1/v1/events')
    expect(apiEndpoint(parseApiUrl('http://h:1'), '/v1/events', true)).toBe('ws://h:1/v1/events')
  })
})

describe('formatEvent', () => {
  it.each([
    [
      {
        type: 'anomaly',
        at: 0,
        severity: 'critical',
        kind: 'REPLAY',
        peerId: 'P',
        step: 5,
        detail: 'd',
        count: 3,
      },
      '00:00:00.000 CRITICAL REPLAY ×3 peer P step 5: d',
    ],
    [
      {
        type: 'anomaly',
        at: 0,
        severity: 'critical',
        kind: 'PATTERN_MISMATCH',
        peerId: 'F',
        step: null,
        detail: 'd',
        witnesses: ['M1', 'M2'],
        source: 'reported',
      },
      '00:00:00.000 CRITICAL PATTERN_MISMATCH peer F step - (reported by M1, M2): d',
    ],
    [
      { type: 'member', at: 0, peerId: 'P', change: 'status', status: 'dead', previous: 'suspect' },
      '00:00:00.000 MEMBER   P status → dead (was suspect)',
    ],
    [
      { type: 'member', at: 0, peerId: 'P', change: 'connected' },
      '00:00:00.000 MEMBER   P connected',
    ],
    [
      { type: 'role', at: 0, principal: 'Q', term: 2, previous: 'P' },
      '00:00:00.000 ROLE     principal Q term 2 (was P)',
    ],
    [{ type: 'hello', at: 0 }, undefined],
  ])('%o', (frame, expected) => {
    expect(formatEvent(frame, false)).toBe(expected)
  })

  it('colours on a terminal', () => {
    const line = formatEvent({ type: 'anomaly', at: 0, severity: 'critical', kind: 'X' }, true)
    expect(line).toContain('\u001b[31m')
  })
})

describe('formatStatus', () => {
  it('prints the node and a member table', () => {
    const text = formatStatus(
      {
        peerId: 'A',
        meshId: 'm',
        step: 7,
        term: 2,
        principal: 'B',
        roles: ['member'],
        observer: false,
        connectedPeers: 1,
        members: { alive: 1, suspect: 0, dead: 0 },
        version: '1.0.0',
      },
      [
        {
          peerId: 'B',
          status: 'alive',
          weight: 5,
          roles: ['principal'],
          step: 7,
          lastSeen: 9000,
          observer: false,
        },
      ],
      { messagesPerSecond: 2, averageLatency: 3.5, networkHealth: 1 },
      10_000,
    )
    expect(text).toContain('principal  B   term 2')
    expect(text).toContain('network    2 msg/s, latency 3.5 ms, health 1')
    expect(text).toMatch(/^PEER\s+STATUS\s+ROLE\s+WEIGHT\s+STEP\s+LAST SEEN$/m)
    expect(text).toMatch(/^B\s+alive\s+principal\s+5\s+7\s+1 s ago$/m)
  })
})
