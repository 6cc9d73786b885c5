/**
 * Pure parsers for option values. They throw commander's InvalidArgumentError, which commander
 * reports as `option '--flag <x>' argument 'v' is invalid. <reason>`: the message names the flag.
 */
import { InvalidArgumentError } from 'commander'

const DIGITS = /^[0-9]+$/

/** A decimal integer in min..max. Rejects signs, fractions, exponents, hex and blanks. */
export function parseIntegerIn(text: string, min: number, max: number): number {
  const range =
    max === Number.MAX_SAFE_INTEGER
      ? min === 0
        ? 'a non-negative integer'
        : `an integer of ${min} or more`
      : `an integer from ${min} to ${max}`
  if (!DIGITS.test(text)) throw new InvalidArgumentError(`expected ${range}`)
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`expected ${range}`)
  }
  return value
}

/** Option parser for a non-negative safe integer (steps, intervals). */
export function nonNegativeInteger(text: string): number {
  return parseIntegerIn(text, 0, Number.MAX_SAFE_INTEGER)
}

/** Option parser factory for a bounded integer, e.g. `--digits` 1..10. */
export function integerIn(min: number, max: number): (text: string) => number {
  return (text) => parseIntegerIn(text, min, max)
}
