/** Browser stand-in for sodium-native: no native addon in a browser, so protocol/keys.ts falls back to its other path. */
export default undefined
