# Bare workerd with one hop (bench/fuzz-rss.ts --host workerd-hop): a forwarder in front of the body reader.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "front", worker = .front), (name = "reader", worker = .reader) ],
  sockets = [ (name = "http", address = "127.0.0.1:8951", http = (), service = "front") ],
);

const front :Workerd.Worker = (
  modules = [ (name = "forwarder.js", esModule = embed "forwarder.js") ],
  bindings = [ (name = "NEXT", service = "reader") ],
  compatibilityDate = "2025-09-01",
);

const reader :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2025-09-01",
);
