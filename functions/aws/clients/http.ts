// The one HTTP handler every AWS client of ours sends through: keep-alive connections that outlive
// the client that opened them. A scan builds a client per account and Region and destroys it when
// done; with a handler of its own each, every account-Region paid for new connections (and TLS
// handshakes) to the same Regional endpoint. Shared, the next account reuses them.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** A NodeHttpHandler that a client's destroy() leaves open: it belongs to the process, not to one client. */
class SharedHttpHandler extends NodeHttpHandler {
  override destroy(): void {
    // Idle keep-alive sockets are unref'd by Node's Agent, so they never hold the process open.
  }
}

/**
 * Idle connections kept per endpoint. Node's default (256) closed most of them after each burst of
 * a local run, whose 40 accounts × 4 Regions × 8 key calls all go to one simulated endpoint.
 */
const MAX_FREE_SOCKETS = 2048;

let shared: SharedHttpHandler | undefined;

/** The process's handler; concurrency stays bounded by our own pools, not by sockets per host. */
export function sharedRequestHandler(): NodeHttpHandler {
  shared ??= new SharedHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: MAX_FREE_SOCKETS }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: MAX_FREE_SOCKETS }),
  });
  return shared;
}
