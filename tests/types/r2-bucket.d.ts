// The one Workers type the model cache (edge/src/model/) names, as much of it as that code calls, so tests can run
// the cache in Node over an in-memory bucket (the edge package itself compiles against @cloudflare/workers-types).
declare interface R2Bucket {
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
}
