/** The events an AdviceService dispatches, by name. */
import type { Advice, AdviceResult } from './types.js'

export interface AdviceEvents {
  /** An advice became known here (issued, broadcast or pulled). */
  'advice.received': CustomEvent<{ advice: Advice }>
  /** A target's result became known here. */
  'advice.result': CustomEvent<{ result: AdviceResult }>
  /** This node applied a winner's value. */
  'advice.applied': CustomEvent<{ adviceId: string; keys: string[] }>
}
