// The smallest worker that takes the fuzz's traffic: read the body, if any, and answer a JSON refusal.
// Nothing is kept between requests, so any RSS growth under it belongs to the runtime that hosts it.
export default {
  async fetch(request) {
    const bytes = request.body ? (await request.arrayBuffer()).byteLength : 0;
    return Response.json({ error: { code: 'bad_request', message: `read ${bytes} bytes` } }, { status: 400 });
  },
};
