// One service-binding hop, as Miniflare's entry worker and wrangler's proxy make for every request: this alone
// makes bare workerd's RSS grow under the fuzz (BENCHMARKS.md, "HTTP-layer fuzz").
export default {
  fetch(request, env) {
    return env.NEXT.fetch(request);
  },
};
