// Two mesh members in one program: the second joins through the first, then each message one
// sends is verified and delivered at the other. Run: node examples/embedded-two-nodes.mjs
import { randomBytes } from 'node:crypto'
import { createMeshPeer } from 'patternmesh'

// Every member of a mesh shares one 32-byte network key (`patternmesh keygen` writes one).
const networkKey = randomBytes(32)
const local = { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, heartbeatIntervalMs: 250 }

const alice = createMeshPeer({ networkKey, config: local })
await alice.start()
const bob = createMeshPeer({
  networkKey,
  config: { ...local, bootstrap: [alice.getMultiaddrs()[0]] },
})
await bob.start()

/** Waits for `condition`, checking every 100 ms, for at most `ms`. */
async function waitFor(what, condition, ms = 10_000) {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

try {
  const inbox = []
  bob.onMessage((message) => inbox.push(Buffer.from(message.envelope.data).toString('utf8')))
  // Once alice has heard bob's heartbeat, gossip flows between them both ways.
  await waitFor('bob in the member table', () =>
    alice.members.members().some((member) => member.id === bob.peerId),
  )
  const receipt = await alice.broadcast('hello from alice')
  await waitFor('the message at bob', () => inbox.length > 0)
  console.log(`bob received: ${inbox[0]} (step ${receipt.step}, seq ${receipt.seq})`)
} finally {
  await bob.stop()
  await alice.stop()
}
