// An application that takes UPDATE advice: bob registers a handler, alice asks the mesh (its
// principal stamps the advice) to give bob a new value, and waits for bob's "accepted".
// Run: node examples/advice-update-handler.mjs
import { randomBytes } from 'node:crypto'
import { createMeshPeer } from 'patternmesh'

const networkKey = randomBytes(32)
const local = { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, heartbeatIntervalMs: 250 }

const alice = createMeshPeer({ networkKey, config: { ...local, weight: 10 } })
await alice.start()
const bob = createMeshPeer({
  networkKey,
  config: { ...local, bootstrap: [alice.getMultiaddrs()[0]] },
})
await bob.start()

/** Waits for `condition`, checking every 100 ms, for at most `ms`. */
async function waitFor(what, condition, ms = 15_000) {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

try {
  bob.advice.onUpdate(({ key, value, adviceId }) => {
    // Throwing here would reject the advice, with the error's message as the reason.
    console.log(`bob applies ${key} = ${JSON.stringify(value)} (advice ${adviceId.slice(0, 8)})`)
  })
  await waitFor('a principal', () => alice.roles.principal !== null && bob.roles.principal !== null)
  const advice = await alice.advice.issue({
    type: 'UPDATE',
    target: [bob.peerId],
    payload: { key: 'greeting', value: 'hello bob' },
    ttlMs: 60_000,
  })
  await waitFor("bob's result", () => alice.advice.get(advice.id)?.status === 'accepted')
  console.log(`advice ${advice.id.slice(0, 8)}: ${alice.advice.get(advice.id).status}`)
} finally {
  await bob.stop()
  await alice.stop()
}
