/**
 * The message log's figures as Prometheus metrics (mirrors `MessageLog.stats()` when scraped,
 * so nothing is counted twice).
 */
import { Counter, Gauge, type Registry } from 'prom-client'
import type { MessageLogStats } from './message-log.js'

export function registerMessageLogMetrics(
  registry: Registry,
  read: () => MessageLogStats | undefined,
): void {
  const registers = [registry]
  const dropped: Counter<'bound'> = new Counter({
    name: 'patternmesh_message_log_dropped_total',
    help: 'Delivered messages dropped from the message log (GET /v1/messages) to stay within messageLogSize (bound="size") or messageLogBytes (bound="bytes").',
    labelNames: ['bound'],
    registers,
    collect: () => {
      const stats = read()
      dropped.reset()
      if (stats === undefined) return
      dropped.inc({ bound: 'size' }, stats.dropped - stats.droppedForBytes)
      dropped.inc({ bound: 'bytes' }, stats.droppedForBytes)
    },
  })
  const bytes: Gauge = new Gauge({
    name: 'patternmesh_message_log_bytes',
    help: 'Bytes the message log holds, as counted against messageLogBytes (payloads plus 256 B an entry).',
    registers,
    collect: () => bytes.set(read()?.bytes ?? 0),
  })
  const size: Gauge = new Gauge({
    name: 'patternmesh_message_log_messages',
    help: 'Delivered messages the message log holds.',
    registers,
    collect: () => size.set(read()?.size ?? 0),
  })
}
