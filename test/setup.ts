// libp2p 3 needs Promise.withResolvers and a global WebSocket; Node 20 has neither.
import '../src/compat.js'
