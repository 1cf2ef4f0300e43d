/** The site directory (node/README.md §The site directory). */
export { openSite, saveConfig, createSiteDir, defaultConfig, sitePaths, readRootKey, readApiToken, checkNation, DEFAULT_LIMITS } from './dir.ts'
export type { Site, SiteConfig, SiteLimits } from './dir.ts'
export { initSite } from './init.ts'
export type { InitOptions, InitResult } from './init.ts'
export { libp2pPrivateKey, peerIdOfKey, peerIdOfPublicKey } from './peer-id.ts'
export { SiteError } from './errors.ts'
export type { SiteErrorCode } from './errors.ts'
export type { SigningKey } from './signing-key.ts'
