// sha256 through WebCrypto, which both Node (globalThis.crypto) and workerd provide.
export async function sha256Hex(data: Uint8Array | ArrayBuffer): Promise<string> {
  // A plain ArrayBuffer copy: WebCrypto's typings reject views over a SharedArrayBuffer-capable buffer.
  const bytes = data instanceof Uint8Array ? data.slice() : new Uint8Array(data.slice(0));
  const digest = await crypto.subtle.digest('SHA-256', bytes.buffer as ArrayBuffer);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
