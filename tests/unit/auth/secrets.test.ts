import { describe, expect, it } from 'vitest'
import { estimateEntropyBits, MIN_SECRET_BITS, MIN_SECRET_LENGTH, secretWeakness } from '@/lib/auth/secrets'
import { SECRET, SECRET_2, SECRET_3 } from './fixtures'

/** Fixed outputs of `openssl rand -hex 32` and `openssl rand -hex 16`. */
const HEX_32 = 'e170066493107500d8a955ae777c412af8ea2f63aa42d62f507774c7feec10c5'
const HEX_16 = '7758c15255f3ddc70fdeb526a770c6a7'

describe('secret strength limits', () => {
  it('asks for iron-session\'s 32 characters and 128 bits (RFC 4086 8.2)', () => {
    expect(MIN_SECRET_LENGTH).toBe(32)
    expect(MIN_SECRET_BITS).toBe(128)
  })
})

describe('estimateEntropyBits', () => {
  it.each([SECRET, SECRET_2, SECRET_3, HEX_32])('scores 32 random bytes (%s) far above the minimum', (secret) => {
    expect(estimateEntropyBits(secret)).toBeGreaterThan(160)
  })

  it('scores one repeated character at about 11 bits, whatever the length', () => {
    expect(estimateEntropyBits('x'.repeat(40))).toBeCloseTo(11, 0)
    expect(estimateEntropyBits('x'.repeat(200))).toBeLessThan(20)
  })

  it('charges a common word 11 bits, case-insensitively', () => {
    expect(estimateEntropyBits('password')).toBe(11)
    expect(estimateEntropyBits('PassWord')).toBe(11)
    expect(estimateEntropyBits('changeme')).toBe(11)
  })

  it('charges a substring seen before much less than fresh characters (LZ77 back-reference)', () => {
    const fresh = 'Kq8#vZ2m'
    const repeated = fresh.repeat(5)
    expect(estimateEntropyBits(repeated)).toBeLessThan(estimateEntropyBits(fresh) + 30)
  })

  it('charges ascending and descending runs 1 bit per continued character', () => {
    const run = estimateEntropyBits('bdfhjlnp') // steps of 2: no run
    expect(estimateEntropyBits('mnopqrst')).toBeLessThan(run)
    expect(estimateEntropyBits('98765432')).toBeLessThan(estimateEntropyBits('93857261') / 2)
  })

  it('grows with the character pool: adding classes adds bits per character', () => {
    expect(estimateEntropyBits('kqvzmwrt')).toBeLessThan(estimateEntropyBits('kQvZmWrT'))
    expect(estimateEntropyBits('kQvZmWrT')).toBeLessThan(estimateEntropyBits('kQ#Z!W+T'))
  })

  it('looks only at the first 256 characters', () => {
    const long = (SECRET + SECRET_2 + SECRET_3 + HEX_32 + HEX_32 + HEX_16).slice(0, 256)
    expect(long).toHaveLength(256)
    expect(estimateEntropyBits(`${long}${SECRET}tail`)).toBe(estimateEntropyBits(long))
  })

  it('is 0 for the empty string', () => {
    expect(estimateEntropyBits('')).toBe(0)
  })
})

describe('secretWeakness', () => {
  it.each([SECRET, SECRET_2, HEX_32, HEX_16])('accepts the random secret %s', (secret) => {
    expect(secretWeakness(secret)).toBeNull()
  })

  it('refuses fewer than 32 characters, naming the length and the minimum', () => {
    const weakness = secretWeakness(HEX_16.slice(0, 31))
    expect(weakness).toBe('has a secret of 31 characters: each needs at least 32 random characters')
    expect(secretWeakness('')).toContain('0 characters')
  })

  it.each([
    'x'.repeat(40),
    'changeme-changeme-changeme-changeme',
    'passwordpasswordpasswordpassword',
    'abcdefghijklmnopqrstuvwxyz0123456789',
    '0123456789012345678901234567890123456789',
    'aB3$aB3$aB3$aB3$aB3$aB3$aB3$aB3$',
    'qwertyuiopasdfghjklzxcvbnm1234567890',
    'replace-this-with-your-secret-here!!',
  ])('refuses the long but guessable %j, saying why and how much is needed', (secret) => {
    expect(secret.length).toBeGreaterThanOrEqual(MIN_SECRET_LENGTH)
    const weakness = secretWeakness(secret)
    expect(weakness).toMatch(/^has a secret that looks guessable \(about \d+ bits of entropy; repeated characters, sequences or common words\), at least 128 are needed$/)
    expect(weakness).toContain(`about ${Math.floor(estimateEntropyBits(secret))} bits`)
  })

  it('never repeats the secret in its message', () => {
    const secret = 'changeme-changeme-changeme-changeme'
    expect(secretWeakness(secret)).not.toContain('changeme')
  })
})
