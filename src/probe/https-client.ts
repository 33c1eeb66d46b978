// The client probe's one request: HTTPS from this machine (the grader's, outside both hosts) to
// VIP:port, as a student's browser would reach the service. Self-signed certificates are expected
// (rejectUnauthorized false); the certificate's fingerprint and the start of the answer are kept to
// tell which host served it. A new connection every time, so each request follows the network's
// current path to the VIP. Never throws: every failure is an outcome.
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { ServiceAnswer, ServiceClient, ServiceOutcome } from '../model/service.js';
import { normalizeFingerprint } from '../facts/cert.js';

/** Enough of an answer to find a host name in it; the rest is not read. */
const ANSWER_BYTES = 4096;

const REFUSED = new Set(['ECONNREFUSED']);
const TIMEOUT = new Set(['ETIMEDOUT']);

/** What kind of failure an error is: refused, timed out, a TLS problem, or another network error. */
export function classifyError(error: NodeJS.ErrnoException, handshakeDone: boolean): ServiceOutcome {
  const code = error.code ?? '';
  if (REFUSED.has(code)) return 'refused';
  if (TIMEOUT.has(code)) return 'timeout';
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /SSL|TLS|handshake/i.test(error.message))
    return 'tls-error';
  // The connection broke after TCP but before the TLS handshake completed: the TLS side failed.
  if (!handshakeDone && (code === 'ECONNRESET' || code === 'EPIPE')) return 'tls-error';
  return 'error';
}

export const httpsServiceClient: ServiceClient = {
  origin: 'this machine (the grader)',
  request({ host, port, timeoutMs, signal }) {
    return new Promise<ServiceAnswer>((resolve) => {
      const started = performance.now();
      const latency = () => Math.round(performance.now() - started);
      let handshakeDone = false;
      let fingerprint: string | undefined;
      let settled = false;
      const finish = (answer: Omit<ServiceAnswer, 'latencyMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        req.destroy();
        resolve({ ...answer, latencyMs: latency(), ...(fingerprint ? { fingerprint } : {}) });
      };
      const req = request({
        host,
        port,
        path: '/',
        method: 'GET',
        agent: false,
        rejectUnauthorized: false,
        headers: { 'user-agent': 'hagrade-client-probe', connection: 'close' },
      });
      const timer = setTimeout(
        () =>
          finish({ outcome: 'timeout', detail: handshakeDone ? 'no HTTP answer in time' : 'no connection in time' }),
        timeoutMs,
      );
      timer.unref();
      const onAbort = () => finish({ outcome: 'error', detail: 'cancelled' });
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('socket', (socket) => {
        socket.once('secureConnect', () => {
          handshakeDone = true;
          const cert = (socket as TLSSocket).getPeerCertificate();
          if (cert?.fingerprint256) fingerprint = normalizeFingerprint(cert.fingerprint256);
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        finish({
          outcome: classifyError(error, handshakeDone),
          detail: error.code ?? error.message.split('\n')[0] ?? 'error',
        });
      });
      req.on('response', (res) => {
        const head = [
          `HTTP/${res.httpVersion} ${res.statusCode ?? ''} ${res.statusMessage ?? ''}`,
          ...Object.entries(res.headers).map(([k, v]) => `${k}: ${String(v)}`),
        ].join('\n');
        let body = '';
        const done = () => {
          const status = res.statusCode ?? 0;
          const text = `${head}\n\n${body}`.slice(0, ANSWER_BYTES);
          if (status >= 500 || status === 0) finish({ outcome: 'http-error', status, text, detail: `HTTP ${status}` });
          else finish({ outcome: 'answered', status, text });
        };
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (body.length >= ANSWER_BYTES) done();
        });
        res.on('end', done);
        res.on('error', done);
      });
      if (signal?.aborted) onAbort();
      req.end();
    });
  },
};
