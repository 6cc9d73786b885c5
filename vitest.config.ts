import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['./test/setup.ts'],
    // Builds dist/ once, for the test that runs bin/patternmesh.js as a child process.
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real libp2p nodes and child processes: keep the 2 cores calm.
    maxWorkers: 2,
  },
})
