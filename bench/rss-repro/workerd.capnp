# Bare workerd serving the minimal body reader (bench/fuzz-rss.ts --host workerd): no wrangler proxy, no inspector.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .reader) ],
  sockets = [ (name = "http", address = "127.0.0.1:8951", http = (), service = "main") ],
);

const reader :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2025-09-01",
);
