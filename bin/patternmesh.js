#!/usr/bin/env node
// The patternmesh executable: Node 20 shims first, then the CLI from dist/ (`npm run build`).
const fromHere = (path) => new URL(path, import.meta.url).href

let runCli
try {
  // `start`: a SIGHUP while the modules load would end the process (src/daemon/early-hangup.ts).
  if (process.argv[2] === 'start') {
    ;(await import(fromHere('../dist/src/daemon/early-hangup.js'))).holdHangups()
  }
  await import(fromHere('../dist/src/compat.js'))
  ;({ runCli } = await import(fromHere('../dist/src/cli/main.js')))
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('/dist/src/')) {
    process.stderr.write(
      'patternmesh: error: dist/ is missing or incomplete; run `npm run build` first\n',
    )
    process.exit(1)
  }
  throw err
}

// `patternmesh pattern ... | head`: a closed pipe ends the output quietly.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0)
  throw err
})

const code = await runCli(process.argv.slice(2))
// Exit once stdout has taken everything written to it.
process.stdout.write('', () => process.exit(code))
