/**
 * gossipsub's mesh-degree family from one number, pure. D = 6 gives exactly libp2p's defaults
 * (Dlo 4, Dhi 12, Dscore 4, Dout 2, Dlazy 6); other values keep the same proportions and
 * gossipsub's constraints (Dlo ≤ D ≤ Dhi, Dout < Dlo, Dout ≤ D/2).
 */
export interface GossipDegree {
  D: number
  Dlo: number
  Dhi: number
  Dscore: number
  Dout: number
  Dlazy: number
}

export function gossipDegree(meshDegree: number): GossipDegree {
  if (!Number.isInteger(meshDegree) || meshDegree < 1) {
    throw new RangeError(`gossip mesh degree must be an integer ≥ 1, got ${String(meshDegree)}`)
  }
  const D = meshDegree
  const Dlo = Math.ceil((D * 2) / 3)
  return { D, Dlo, Dhi: 2 * D, Dscore: Dlo, Dout: Math.floor(D / 3), Dlazy: D }
}
