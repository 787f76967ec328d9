/**
 * The oauth4webapi client and its authentication at the token, revocation and PAR endpoints:
 * `client_secret_basic` (WSO2's default), `client_secret_post`, `private_key_jwt` with a PEM key
 * file, or `none` for a public client.
 *
 * Node only (reads the key file).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2 (JWT client authentication)
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication
 */
import 'server-only'
import { createPrivateKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { calculateJwkThumbprint, exportJWK, importPKCS8 } from 'jose'
import * as oauth from 'oauth4webapi'
import type { AuthConfig } from '../config'
import { AuthError } from '../errors'

/** The client as oauth4webapi sees it, and how it authenticates. */
export interface ClientSetup {
  client: oauth.Client
  clientAuth: oauth.ClientAuth
}

/** The JWS algorithm for a private key: RS256 for RSA, ES256/384/512 by curve. */
function algorithmOf(pem: string): string {
  const key = createPrivateKey(pem)
  if (key.asymmetricKeyType === 'rsa') return 'RS256'
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve
    if (curve === 'prime256v1') return 'ES256'
    if (curve === 'secp384r1') return 'ES384'
    if (curve === 'secp521r1') return 'ES512'
  }
  throw new AuthError('config_invalid', `AUTH_CLIENT_KEY: unsupported key type ${key.asymmetricKeyType}; use an RSA or EC (P-256) key`)
}

async function privateKeyJwt(config: AuthConfig): Promise<oauth.ClientAuth> {
  const path = resolve(/* turbopackIgnore: true */ process.cwd(), config.clientKeyPath!)
  let pem: string
  try {
    pem = readFileSync(/* turbopackIgnore: true */ path, 'utf8')
  } catch (error) {
    throw new AuthError('config_invalid', `AUTH_CLIENT_KEY: cannot read ${path} (${(error as Error).message})`, { cause: error })
  }
  let key: CryptoKey
  let alg: string
  try {
    alg = algorithmOf(pem)
    // PKCS#8 is what `openssl genpkey` writes; a PKCS#1 "RSA PRIVATE KEY" is converted first.
    const pkcs8 = createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString()
    key = (await importPKCS8(pkcs8, alg, { extractable: true })) as CryptoKey
  } catch (error) {
    if (error instanceof AuthError) throw error
    throw new AuthError('config_invalid', `AUTH_CLIENT_KEY: ${path} is not a PEM private key`, { cause: error })
  }
  // kid: configured, or the RFC 7638 thumbprint of the public key (what WSO2 shows for an uploaded JWKS).
  // The thumbprint uses only the public members (kty, e, n / crv, x, y).
  const kid = config.clientKeyId ?? (await calculateJwkThumbprint(await exportJWK(key)))
  return oauth.PrivateKeyJwt({ key, kid })
}

/**
 * Builds the client and its authentication method.
 *
 * @param config - Client id, secret, method and key.
 * @returns The client setup.
 * @throws {AuthError} `config_invalid` when the key file is missing or unusable.
 * @example
 * ```ts
 * const { client, clientAuth } = await buildClient(config)
 * ```
 */
export async function buildClient(config: AuthConfig): Promise<ClientSetup> {
  const client: oauth.Client = {
    client_id: config.clientId,
    // Pinned, so a discovery document listing "none" cannot get an unsigned ID token accepted.
    id_token_signed_response_alg: 'RS256',
  }
  switch (config.clientAuth) {
    case 'client_secret_basic':
      return { client, clientAuth: oauth.ClientSecretBasic(config.clientSecret!) }
    case 'client_secret_post':
      return { client, clientAuth: oauth.ClientSecretPost(config.clientSecret!) }
    case 'private_key_jwt':
      return { client, clientAuth: await privateKeyJwt(config) }
    default:
      return { client, clientAuth: oauth.None() }
  }
}
