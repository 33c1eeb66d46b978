// The client probe's loop (bounded in count and time, stops with the probe, cut-short requests not
// counted) with a fake client; and the real HTTPS client against servers on 127.0.0.1 that answer,
// refuse, stay silent or speak no TLS.
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createHttpsServer } from 'node:https';
import { normalizeFingerprint } from '../../src/facts/cert.js';
import { ClientProbe, makeIdentifier } from '../../src/probe/client-probe.js';
import { httpsServiceClient } from '../../src/probe/https-client.js';
import type { ServiceAnswer, ServiceClient } from '../../src/model/service.js';
import { readFixtureFile } from '../support/fixtures.js';

/** A client that answers after `delayMs` (or never, when `hang`), counting what it was asked. */
function fakeClient(opts: { delayMs?: number; hang?: boolean } = {}) {
  const state = { requests: 0, open: 0, maxOpen: 0 };
  const client: ServiceClient = {
    origin: 'test',
    request({ signal }) {
      state.requests += 1;
      state.open += 1;
      state.maxOpen = Math.max(state.maxOpen, state.open);
      return new Promise<ServiceAnswer>((resolve) => {
        const done = (answer: ServiceAnswer) => {
          state.open -= 1;
          resolve(answer);
        };
        signal?.addEventListener('abort', () => done({ outcome: 'error', latencyMs: 0, detail: 'cancelled' }), {
          once: true,
        });
        if (!opts.hang)
          setTimeout(
            () => done({ outcome: 'answered', latencyMs: opts.delayMs ?? 0, text: 'host: backup' }),
            opts.delayMs ?? 0,
          );
      });
    },
  };
  return { client, state };
}

const identifier = makeIdentifier({ fingerprints: {}, hostnames: { master: 'master', backup: 'backup' } });
const until = (test: () => boolean) =>
  new Promise<void>((resolve) => {
    const poll = setInterval(() => test() && (clearInterval(poll), resolve()), 5);
  });

function start(
  client: ServiceClient,
  signal: AbortSignal,
  over: Partial<Parameters<typeof ClientProbe.start>[0]> = {},
): ClientProbe {
  const t0 = Date.now();
  return ClientProbe.start({
    client,
    host: '127.0.0.1',
    port: 1,
    ratePerSecond: 200,
    maxRequests: 10,
    maxDurationMs: 60_000,
    timeoutMs: 1000,
    now: () => Date.now() - t0,
    identifier,
    signal,
    ...over,
  });
}

describe('client probe loop', function () {
  this.timeout(10_000);

  it('never sends more than its bound, and stops by itself', async () => {
    const { client, state } = fakeClient();
    const probe = start(client, new AbortController().signal, { maxRequests: 7 });
    await until(() => probe.requestsStarted >= 7 && state.open === 0);
    await new Promise((r) => setTimeout(r, 100)); // 20 more ticks' worth at this rate
    const { samples, cancelled, started } = probe.stop();
    expect(state.requests).to.equal(7);
    expect(started).to.equal(7);
    expect(samples).to.have.length(7);
    expect(cancelled).to.equal(0);
    expect(samples.every((s) => s.servedBy === 'backup')).to.equal(true);
  });

  it('stops sending on abort (SIGINT reaches the probe as an abort)', async () => {
    const { client, state } = fakeClient();
    const controller = new AbortController();
    const probe = start(client, controller.signal, { maxRequests: 1000 });
    await until(() => state.requests >= 3);
    controller.abort();
    const sent = state.requests;
    await new Promise((r) => setTimeout(r, 100));
    expect(state.requests).to.equal(sent);
    probe.stop();
  });

  it('does not pile up requests a silent network swallows, and does not count the ones cut short', async () => {
    const { client, state } = fakeClient({ hang: true });
    const probe = start(client, new AbortController().signal, { maxRequests: 1000, timeoutMs: 50 });
    await until(() => state.requests >= probe.maxInFlight);
    await new Promise((r) => setTimeout(r, 100));
    expect(state.maxOpen).to.equal(probe.maxInFlight);
    const { samples, cancelled } = probe.stop();
    expect(samples).to.deep.equal([]);
    expect(cancelled).to.equal(probe.maxInFlight);
    expect(state.open, 'every request cancelled').to.equal(0);
  });

  it('settle() returns once a request sent after it is answered', async () => {
    const { client } = fakeClient({ delayMs: 5 });
    const probe = start(client, new AbortController().signal, { maxRequests: 1000 });
    await probe.settle(5000);
    const { samples } = probe.stop();
    expect(samples.some((s) => s.outcome === 'answered')).to.equal(true);
  });
});

describe('HTTPS client (servers on 127.0.0.1)', function () {
  this.timeout(10_000);
  const pem = readFixtureFile('correct', 'master/etc/haproxy/rebrain.pem');
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const listen = async (server: Server): Promise<number> => {
    servers.push(server);
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };
  after(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });
  const ask = (port: number, timeoutMs = 2000) => httpsServiceClient.request({ host: '127.0.0.1', port, timeoutMs });

  it("answered: the status, the certificate's fingerprint and the answer naming the host", async () => {
    const port = await listen(createHttpsServer({ cert: pem, key: pem }, (_req, res) => res.end('host: backup\n')));
    const a = await ask(port);
    expect(a.outcome).to.equal('answered');
    expect(a.status).to.equal(200);
    expect(a.fingerprint).to.equal(normalizeFingerprint(new X509Certificate(pem).fingerprint256));
    expect(a.text).to.match(/host: backup/);
  });

  it('a 503 from haproxy (no backend up) is an HTTP error, not an answer', async () => {
    const port = await listen(
      createHttpsServer({ cert: pem, key: pem }, (_req, res) => ((res.statusCode = 503), res.end('no server'))),
    );
    const a = await ask(port);
    expect(a.outcome).to.equal('http-error');
    expect(a.status).to.equal(503);
  });

  it('refused: nothing listens', async () => {
    const server = createTcpServer();
    const port = await listen(server);
    await new Promise((r) => server.close(r));
    servers.splice(servers.indexOf(server), 1);
    const a = await ask(port);
    expect(a.outcome).to.equal('refused');
    expect(a.detail).to.equal('ECONNREFUSED');
  });

  it('timed out: a server that accepts and says nothing', async () => {
    const port = await listen(createTcpServer(() => {}));
    const a = await ask(port, 200);
    expect(a.outcome).to.equal('timeout');
    expect(a.detail).to.equal('no connection in time');
  });

  it('TLS error: a server that speaks plain text', async () => {
    const port = await listen(createTcpServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    const a = await ask(port);
    expect(a.outcome).to.equal('tls-error');
  });
});
