import { DEFAULT_CONFIG } from '../../src/config/index.js'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PatternGenerator } from '../../src/pattern/index.js'
import {
  RFC4226_ARGS,
  RFC4226_CODES,
  RFC4226_KEY_HEX,
  RFC4226_OPTIONS,
  cli,
  expectUsageError,
} from './run-cli.js'

const RFC4226_VALUES = [
  1284755224, 1094287082, 137359152, 1726969429, 1640338314, 868254676, 1918287922, 82162583,
  673399871, 645520489,
]

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '')
}

describe('patternmesh pattern', () => {
  it('prints the RFC 4226 codes for the RFC key with sha1 and no phase reset', async () => {
    const run = await cli(...RFC4226_ARGS)
    expect(run.code).toBe(0)
    expect(run.stderr).toBe('')
    const out = lines(run.stdout)
    expect(out[0]).toBe('step 0  phase 0  value 1284755224  code 755224')
    expect(out[2]).toBe('step 2  phase 0  value  137359152  code 359152')
    expect(out.map((line) => /code (\d+)$/.exec(line)?.[1])).toEqual(RFC4226_CODES)
  })

  it('prints one JSON object per line with --json', async () => {
    const run = await cli(...RFC4226_ARGS, '--json')
    expect(run.code).toBe(0)
    const rows = lines(run.stdout).map((line) => JSON.parse(line) as unknown)
    expect(rows).toEqual(
      RFC4226_VALUES.map((value, step) => ({ step, phase: 0, value, code: RFC4226_CODES[step] })),
    )
  })

  it('prints no code without --digits, and one line for --step', async () => {
    const step7 = [
      'pattern',
      '--key-hex',
      RFC4226_KEY_HEX,
      '--algorithm',
      'sha1',
      '--phase-reset',
      '0',
      '--step',
      '7',
    ]
    const text = await cli(...step7)
    expect(text.stdout).toBe('step 7  phase 0  value   82162583\n')
    const json = await cli(...step7, '--json')
    expect(JSON.parse(json.stdout)).toEqual({ step: 7, phase: 0, value: 82162583 })
  })

  it('uses sha256 and the mesh phase reset interval by default, as the mesh does', async () => {
    const run = await cli('pattern', '--seed', 'lab-7', '--from', '0', '--to', '4', '--json')
    const generator = new PatternGenerator({
      seed: 'lab-7',
      algorithm: 'sha256',
      phaseResetInterval: DEFAULT_CONFIG.phaseResetInterval,
    })
    const rows = lines(run.stdout).map(
      (line) => JSON.parse(line) as { step: number; value: number },
    )
    expect(rows.map((row) => row.value)).toEqual(
      [0, 1, 2, 3, 4].map((step) => generator.value(step)),
    )
  })

  it('derives phase keys with --phase-reset and prints the phase of each step', async () => {
    const run = await cli(
      'pattern',
      '--seed',
      'lab-7',
      '--phase-reset',
      '5',
      '--from',
      '3',
      '--to',
      '12',
      '--json',
    )
    const generator = new PatternGenerator({ seed: 'lab-7', phaseResetInterval: 5 })
    const rows = lines(run.stdout).map(
      (line) => JSON.parse(line) as { step: number; phase: number; value: number },
    )
    expect(rows.map((row) => row.phase)).toEqual([0, 0, 1, 1, 1, 1, 1, 2, 2, 2])
    expect(rows.map((row) => row.value)).toEqual(rows.map((row) => generator.value(row.step)))
  })

  it('pads the columns of a range to its widest step', async () => {
    const run = await cli('pattern', '--seed', 's', '--from', '8', '--to', '10')
    expect(lines(run.stdout).map((line) => line.slice(0, 17))).toEqual([
      'step  8  phase 0 ',
      'step  9  phase 0 ',
      'step 10  phase 0 ',
    ])
  })

  it('prints a 10-digit code and handles the largest step', async () => {
    const run = await cli(
      'pattern',
      '--seed',
      's',
      '--step',
      String(Number.MAX_SAFE_INTEGER),
      '--digits',
      '10',
      '--json',
    )
    const row = JSON.parse(run.stdout) as { step: number; value: number; code: string }
    expect(row.step).toBe(Number.MAX_SAFE_INTEGER)
    expect(row.code).toBe(String(row.value).padStart(10, '0'))
  })

  it('prints a range of 100000 steps, the most it allows', async () => {
    const run = await cli('pattern', '--seed', 's', '--from', '1', '--to', '100000')
    expect(run.code).toBe(0)
    const out = lines(run.stdout)
    expect(out).toHaveLength(100_000)
    const phase = Math.floor(100_000 / DEFAULT_CONFIG.phaseResetInterval)
    expect(out[99_999]).toMatch(new RegExp(`^step 100000 {2}phase ${phase} {2}value +\\d+$`))
  })

  describe('key files', () => {
    let dir = ''
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'patternmesh-pattern-'))
    })
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true })
    })

    it('reads the key from --key-file as --key-hex would take it', async () => {
      const file = join(dir, 'rfc.key')
      await writeFile(file, `${RFC4226_KEY_HEX}\n`)
      const fromFile = await cli('pattern', '--key-file', file, ...RFC4226_OPTIONS)
      const fromHex = await cli(...RFC4226_ARGS)
      expect(fromFile.code).toBe(0)
      expect(fromFile.stdout).toBe(fromHex.stdout)
    })

    it('refuses a key file that holds no key', async () => {
      const file = join(dir, 'junk.key')
      await writeFile(file, 'not a key\n')
      expectUsageError(await cli('pattern', '--key-file', file, '--step', '0'), file)
    })
  })

  describe('bad arguments: exit 2, one line on stderr, nothing on stdout', () => {
    const key = ['--seed', 's']
    const cases: Array<[string, string[], RegExp | string]> = [
      ['a fractional step', [...key, '--step', '1.5'], "'--step <n>' argument '1.5'"],
      ['a negative step', [...key, '--step', '-1'], "'--step <n>' argument '-1'"],
      ['a step that is not a number', [...key, '--step', 'abc'], "'--step <n>' argument 'abc'"],
      ['a step in exponent notation', [...key, '--step', '1e3'], "'--step <n>' argument '1e3'"],
      ['a hex step', [...key, '--step', '0x10'], "'--step <n>' argument '0x10'"],
      ['a step past 2^53-1', [...key, '--step', '9007199254740992'], '--step'],
      ['a bad --from', [...key, '--from', '1.5', '--to', '3'], "'--from <a>' argument '1.5'"],
      ['a bad --to', [...key, '--from', '1', '--to', 'x'], "'--to <b>' argument 'x'"],
      [
        'a bad --phase-reset',
        [...key, '--phase-reset', '-5', '--step', '1'],
        "'--phase-reset <n>' argument '-5'",
      ],
      ['--digits 0', [...key, '--digits', '0', '--step', '1'], "'--digits <d>' argument '0'"],
      ['--digits 11', [...key, '--digits', '11', '--step', '1'], "'--digits <d>' argument '11'"],
      [
        'an unknown algorithm',
        [...key, '--algorithm', 'md5', '--step', '1'],
        "'--algorithm <alg>' argument 'md5'",
      ],
      ['no key', ['--step', '1'], /--key-hex.*--key-file.*--seed/],
      [
        'two keys',
        ['--seed', 's', '--key-hex', RFC4226_KEY_HEX, '--step', '1'],
        /--key-hex.*--seed/,
      ],
      [
        'key hex and key file',
        ['--key-file', 'k', '--key-hex', RFC4226_KEY_HEX, '--step', '1'],
        /--key-hex.*--key-file/,
      ],
      ['odd hex', ['--key-hex', 'abc', '--step', '1'], '--key-hex'],
      ['a key too short', ['--key-hex', '00112233', '--step', '1'], '--key-hex'],
      ['an empty seed', ['--seed', '', '--step', '1'], '--seed'],
      [
        'a missing key file',
        ['--key-file', '/nonexistent/mesh.key', '--step', '1'],
        '/nonexistent/mesh.key',
      ],
      ['no steps', [...key], /--step.*--from.*--to/],
      ['--from without --to', [...key, '--from', '3'], '--from needs --to'],
      ['--to without --from', [...key, '--to', '3'], '--to needs --from'],
      ['--step with --from', [...key, '--step', '1', '--from', '0', '--to', '3'], /--step.*--from/],
      ['--to below --from', [...key, '--from', '5', '--to', '4'], /--to.*--from/],
      ['a range over 100000 steps', [...key, '--from', '0', '--to', '100000'], '100000'],
      ['an unknown option', [...key, '--stepp', '1'], "'--stepp'"],
      ['an option without its value', [...key, '--step'], '--step'],
      ['a stray argument', [...key, '--step', '1', 'extra'], 'too many arguments'],
    ]

    it.each(cases)('%s', async (_name, args, mentions) => {
      expectUsageError(await cli('pattern', ...args), mentions)
    })
  })
})
