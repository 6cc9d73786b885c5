import type { EnvelopeKind } from '../protocol/index.js'

export interface MeshTopics {
  data: string
  control: string
}

/** Gossipsub topics of one mesh (DESIGN §3). */
export function meshTopics(meshId: string): MeshTopics {
  return { data: `/patternmesh/${meshId}/data/1`, control: `/patternmesh/${meshId}/control/1` }
}

/** Data travels on the data topic; every other kind on the control topic. */
export function topicKindOf(kind: EnvelopeKind): keyof MeshTopics {
  return kind === 'data' ? 'data' : 'control'
}
