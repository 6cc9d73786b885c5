/**
 * The layers of src/ (ARCHITECTURE.md), checked by `npm run lint`:
 *   pattern, protocol, sync, net, util, store, config   the base: imports nothing above it
 *   node                                                the messaging core and its ports
 *   membership, roles, advice, observer, peers, delivery services: the ports, never the root
 *   peer                                                the composition root
 *   api, daemon, sim, process, cli, index.ts            the surfaces
 */
const BASE = '^src/(pattern|protocol|sync|net|util|store|config|rpc)/'
const SERVICES = '^src/(membership|roles|advice|observer|peers|keyring|delivery|direct)/'
const SURFACES = '^src/(api|daemon|sim|process|cli|index\\.ts)'

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles hide who depends on whom; break them with a port or a types file.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'base-stays-below',
      severity: 'error',
      comment:
        'pattern, protocol, sync, net (and the helpers) never import the node, services, root or surfaces.',
      from: { path: BASE },
      to: { path: `^src/(node|peer)/|${SERVICES}|${SURFACES}` },
    },
    {
      name: 'core-imports-no-service',
      severity: 'error',
      comment: 'The messaging core (src/node) knows no service, no root, no surface.',
      from: { path: '^src/node/' },
      to: { path: `^src/peer/|${SERVICES}|${SURFACES}` },
    },
    {
      name: 'services-use-ports',
      severity: 'error',
      comment:
        'A service takes the ports (node/ports.ts, events.ts, types.ts), never MeshNode itself.',
      from: { path: SERVICES },
      to: { path: '^src/node/(mesh-node|index)\\.ts$' },
    },
    {
      name: 'services-not-root',
      severity: 'error',
      comment: 'No service imports the composition root or a surface.',
      from: { path: SERVICES },
      to: { path: `^src/peer/|${SURFACES}` },
    },
    {
      name: 'root-not-surfaces',
      severity: 'error',
      comment: 'The composition root is used by the surfaces, never the other way round.',
      from: { path: '^src/peer/' },
      to: { path: SURFACES },
    },
    {
      name: 'api-not-cli-or-sim',
      severity: 'error',
      comment: 'The API serves the daemon; it does not reach into the CLI or the simulator.',
      from: { path: '^src/api/' },
      to: { path: '^src/(cli|sim|daemon)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
}
