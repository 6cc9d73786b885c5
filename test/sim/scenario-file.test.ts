import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ScenarioError, loadScenario, parseScenario } from '../../src/sim/index.js'
import { cli } from '../cli/run-cli.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pm-scenario-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const minimal = { name: 'tiny', duration: 3, nodes: { count: 3 } }

describe('scenario files', () => {
  it('loads every shipped scenario', async () => {
    for (const name of [
      'demo',
      'failover',
      'partition-heal',
      'attacks',
      'advice-under-partition',
      'scale-100',
    ]) {
      const scenario = await loadScenario(
        new URL(`../../simulations/${name}.json`, import.meta.url).pathname,
      )
      expect(scenario.name).toBe(name)
    }
  })

  it('fills in defaults and applies overrides', () => {
    const scenario = parseScenario(minimal, 'test', { nodes: 4, duration: 5, seed: 9 })
    expect(scenario).toMatchObject({
      nodes: { count: 4 },
      duration: 5,
      seed: 9,
      topology: { kind: 'full' },
      timeline: [],
    })
  })

  it.each([
    [{ ...minimal, colour: 'red' }, /unknown field "colour"/],
    [{ ...minimal, nodes: { count: 0 } }, /nodes\.count must be >= 1/],
    [{ ...minimal, duration: 'long' }, /duration must be number/],
    [{ ...minimal, timeline: [{ at: 1, action: 'explode' }] }, /timeline\[0\]/],
    [
      { ...minimal, timeline: [{ at: 1, action: 'attack', attacker: 'ninja' }] },
      /attacker must be one of forger/,
    ],
    [
      { ...minimal, timeline: [{ at: 9, action: 'heal' }] },
      /timeline\[0\]\.at \(9\) is after the end/,
    ],
    [{ ...minimal, timeline: [{ at: 1, action: 'kill', node: 7 }] }, /node 7 does not exist/],
    [
      { ...minimal, nodes: { count: 3, weights: [1, 2] } },
      /nodes\.weights has 2 entries for 3 nodes/,
    ],
    [{ ...minimal, expect: { deliveryRatio: { max: 1 } } }, /expect\.deliveryRatio/],
    [
      { ...minimal, traffic: { to: 'n9' } },
      /traffic\.to "n9": there is no such node \(nodes n0\.\.n2\)/,
    ],
    [
      { ...minimal, traffic: { to: 'role:boss' } },
      /traffic\.to "role:boss": unknown role "boss" \(known: role:principal, role:member\)/,
    ],
    [
      { ...minimal, traffic: { to: 'everyone' } },
      /traffic\.to "everyone" must be n<i> \(a node\), role:principal, role:member, any or key:<k>/,
    ],
    [
      { ...minimal, traffic: { to: '12D3KooWHfDR7k9ThgWp1h6VDBnFwwZRDiR8dgQsxLd8LQEd1i5Q' } },
      /a peer id is not known before the run; name the node/,
    ],
    [{ ...minimal, traffic: { to: 'key:' } }, /traffic\.to "key:": key:<k> needs a non-empty key/],
    [{ ...minimal, traffic: { to: '' } }, /traffic\.to must NOT have fewer than 1 characters/],
  ])('refuses %j naming what is wrong', (raw, message) => {
    expect(() => parseScenario(raw, 'scenario x.json')).toThrow(ScenarioError)
    expect(() => parseScenario(raw, 'scenario x.json')).toThrow(message)
  })

  it('simulate exits 2 with one line for a malformed file, and names the file', async () => {
    const path = join(dir, 'broken.json')
    await writeFile(path, '{ "name": "x", ')
    const run = await cli('simulate', path)
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(new RegExp(`scenario ${path}: not valid JSON`))
    const missing = await cli('simulate', join(dir, 'nope.json'))
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/no such file/)
  })

  it('simulate exits 1 when an expectation cannot hold, and writes both reports', async () => {
    const path = join(dir, 'impossible.json')
    await writeFile(
      path,
      JSON.stringify({
        ...minimal,
        expect: { deliveryRatio: { min: 2 }, falsePositives: { max: 0 } },
      }),
    )
    const out = join(dir, 'out')
    const run = await cli('simulate', path, '--out', out)
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/FAIL {4}deliveryRatio/)
    const { readFile } = await import('node:fs/promises')
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as {
      scenario: string
      passed: boolean
      expectations: Array<{ name: string; passed: boolean; expected: string; actual: string }>
    }
    expect(report.scenario).toBe('tiny')
    expect(report.passed).toBe(false)
    expect(report.expectations).toContainEqual(
      expect.objectContaining({ name: 'deliveryRatio', passed: false }),
    )
    expect(report.expectations).toContainEqual(
      expect.objectContaining({ name: 'falsePositives', passed: true }),
    )
    expect(await readFile(join(out, 'report.html'), 'utf8')).toMatch(
      /<svg[^>]*aria-label="global step per node"/,
    )
  })
})
