/**
 * Site directory layout and defaults (issue 4 §Operator interface; node/README.md documents the layout).
 * File names are part of the operator interface: scripts and the recipe in node/README.md refer to them.
 */

/** Site configuration (JSON, mode 0644). */
export const CONFIG_FILE = 'config.json'
/** The site's Ed25519 seed: record signer and libp2p PeerId (JSON, mode 0600). Never leaves the site directory. */
export const SITE_KEY_FILE = 'site.key'
/** The nation root key of a development federation (JSON, mode 0600). Root keys never leave their site directory. */
export const ROOT_KEY_FILE = 'nation-root.key'
/** Bearer token of the local HTTP API (text, mode 0600). */
export const API_TOKEN_FILE = 'api.token'
/** The record store (a level database directory). */
export const STORE_DIR = 'store'
/** Written by `aip start` while the node runs: pid and API address, so other commands use the API. */
export const NODE_FILE = 'node.json'

/** Mode of every secret file (site key, root key, API token). */
export const SECRET_FILE_MODE = 0o600

/** Version of the config.json format; openSite rejects any other. */
export const CONFIG_VERSION = 1

/** Default listen address: loopback, ephemeral port. */
export const DEFAULT_LISTEN = '/ip4/127.0.0.1/tcp/0'
/** Default API address: loopback, ephemeral port (the actual port is published in node.json). */
export const DEFAULT_API_HOST = '127.0.0.1'
export const DEFAULT_API_PORT = 0

/** Bytes of entropy in the API bearer token (hex-encoded in the file). */
export const API_TOKEN_BYTES = 32

/** ISO 3166-1 alpha-2 nation code, as the record layer requires (specs/aip-v1.md). */
export const NATION_CODE = /^[A-Z]{2}$/
