// An R2Bucket binding for bare workerd, over a writable `disk` service: what `npm run bench -- fuzz-rss --host
// ours-workerd` gives our worker as MODELS so that it runs with no Miniflare and no wrangler in front. Keys are
// paths under the folder. Only what edge/src calls is here: get, head, put, list (prefix, delimiter), delete.
// It keeps nothing between calls, so whatever memory grows under the fuzz is the worker's or workerd's.
function object(key, response, size) {
  return {
    key,
    size,
    etag: `${size}`,
    httpEtag: `"${size}"`,
    httpMetadata: {},
    customMetadata: {},
    body: response?.body ?? null,
    arrayBuffer: () => response.arrayBuffer(),
    text: () => response.text(),
    json: () => response.json(),
  };
}

class DiskBucket {
  constructor(disk) {
    this.disk = disk;
  }

  url(key) {
    return `http://disk/${key.split('/').map(encodeURIComponent).join('/')}`;
  }

  async get(key) {
    const response = await this.disk.fetch(this.url(key));
    if (response.status === 404 || response.headers.get('content-type') === 'application/json') {
      await response.body?.cancel();
      return null;
    }
    return object(key, response, Number(response.headers.get('content-length') ?? 0));
  }

  async head(key) {
    const found = await this.get(key);
    await found?.body?.cancel();
    return found && { ...found, body: null };
  }

  async put(key, value) {
    const response = await this.disk.fetch(this.url(key), { method: 'PUT', body: value });
    if (!response.ok) throw new Error(`r2-disk: PUT ${key} answered ${response.status}`);
    return object(key, null, 0);
  }

  async delete(key) {
    await this.disk.fetch(this.url(key), { method: 'DELETE' });
  }

  /** Entries of one folder: [{ name, type: 'file' | 'directory' }], [] when there is none. */
  async entries(dir) {
    const response = await this.disk.fetch(this.url(dir));
    if (response.headers.get('content-type') !== 'application/json') {
      await response.body?.cancel();
      return [];
    }
    return response.json();
  }

  async list({ prefix = '', delimiter } = {}) {
    const objects = [];
    const delimitedPrefixes = [];
    const walk = async (dir) => {
      for (const { name, type } of await this.entries(dir)) {
        const key = `${dir}${name}`;
        if (type === 'directory') {
          if (prefix.startsWith(`${key}/`)) await walk(`${key}/`);
          else if (!`${key}/`.startsWith(prefix)) continue;
          else if (delimiter === '/') delimitedPrefixes.push(`${key}/`);
          else await walk(`${key}/`);
        } else if (key.startsWith(prefix)) objects.push({ key, size: 0, etag: '0' });
      }
    };
    await walk('');
    objects.sort((a, b) => (a.key < b.key ? -1 : 1));
    return { objects, delimitedPrefixes: delimitedPrefixes.sort(), truncated: false };
  }
}

export default function makeBucket(env) {
  return new DiskBucket(env.disk);
}
