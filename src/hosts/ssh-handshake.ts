// One SSH handshake with one hop: the TCP connection (or a tunnel through the previous hop), the
// host key checked against known_hosts (trusted on first use unless strict), the login attempts,
// and a deadline that does not count the user's typing. SshConnection chains these for ProxyJump.
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { AuthenticationType, Client, ServerHostKeyAlgorithm } from 'ssh2';
import {
  changedKeyText,
  fingerprint,
  keyTypeOf,
  type KnownHosts,
  preferredHostKeyAlgorithms,
  revokedKeyText,
  unknownKeyText,
} from './known-hosts.js';
import { authSteps, Deadline, nextAuthMethod } from './ssh-auth.js';
import { connectError, SshError, t, textOf } from './ssh-errors.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, type SshHostOptions } from './ssh-options.js';
import type { Hop } from './ssh-route.js';

/** What a handshake needs: the host's options and its known_hosts. */
export interface HandshakeContext {
  options: SshHostOptions;
  knownHosts: KnownHosts;
}

/** A tunnel from the jump host `via` (reached as `jump`) to the next hop. */
export function forwardOut(via: Client, jump: Hop, to: Hop): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    via.forwardOut('127.0.0.1', 0, to.host, to.port, (err, stream) => {
      if (!err) return resolve(stream);
      reject(
        new SshError(
          'unreachable',
          t(
            `jump host ${jump.host} cannot reach ${to.host}:${to.port}: ${err.message}`,
            `промежуточный сервер ${jump.host} не может подключиться к ${to.host}:${to.port}: ${err.message}`,
          ),
        ),
      );
    });
  });
}

/** Connect to `hop` (over `sock` when it is behind a jump host); `onLost` hears of the connection dropping later. */
export function handshake(
  ctx: HandshakeContext,
  hop: Hop,
  sock: Duplex | undefined,
  onLost: (reason: string) => void,
): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    const tried: string[] = [];
    let refusal: SshError | undefined;
    let settled = false;
    const timeoutMs = ctx.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const fail = (e: SshError): void => {
      if (settled) return;
      settled = true;
      deadline.finish();
      client.destroy();
      reject(e);
    };
    const deadline = new Deadline(timeoutMs, () =>
      fail(
        new SshError(
          'timeout',
          t(
            `${hop.host}:${hop.port} did not complete the SSH handshake within ${timeoutMs / 1000} s. Check the address, that the host is up, and that a firewall lets port ${hop.port} through.`,
            `${hop.host}:${hop.port} не ответил по SSH за ${timeoutMs / 1000} с. Проверьте адрес, что машина включена и что брандмауэр пропускает порт ${hop.port}.`,
          ),
        ),
      ),
    );
    client.on('error', (err: Error & { level?: string }) => {
      // ssh2 reports a broken agent or a key that cannot sign, then goes on to the next method.
      if (err.level === 'agent' || (err.level === 'client-authentication' && /signing/i.test(err.message))) {
        tried.push(`(${err.message})`);
        return;
      }
      fail(refusal ?? connectError(err, hop, tried));
    });
    client.on('close', () =>
      fail(
        refusal ??
          new SshError(
            'protocol',
            t(
              `${hop.host}:${hop.port} closed the connection during the SSH handshake`,
              `${hop.host}:${hop.port} закрыл соединение во время установки SSH-сессии`,
            ),
          ),
      ),
    );
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      deadline.finish();
      client.removeAllListeners('error');
      client.removeAllListeners('close');
      let lastError = 'closed by the remote host';
      client.on('error', (err) => (lastError = err.message));
      client.on('close', () => onLost(lastError));
      resolve(client);
    });
    const steps = authSteps(hop, tried, deadline, ctx.options);
    try {
      client.connect({
        host: hop.host,
        port: hop.port,
        username: hop.user,
        ...(sock ? { sock } : {}),
        readyTimeout: 0, // our Deadline instead: it pauses during prompts
        keepaliveInterval: 5000,
        keepaliveCountMax: 3,
        algorithms: {
          serverHostKey: preferredHostKeyAlgorithms(
            ctx.knownHosts.knownTypes(hop.host, hop.port),
          ) as ServerHostKeyAlgorithm[],
        },
        hostVerifier: (key: Buffer) => {
          refusal = verifyHostKey(ctx, hop, key);
          return refusal === undefined;
        },
        authHandler: (methodsLeft, _partial, next) => {
          void nextAuthMethod(steps, methodsLeft).then(
            (method) => next(method ?? (false as unknown as AuthenticationType)),
            () => next(false as unknown as AuthenticationType),
          );
        },
      });
    } catch (e) {
      fail(new SshError('protocol', textOf(e), { cause: e }));
    }
  });
}

/** Undefined when the key may be used; else the refusal. Unknown keys are trusted on first use unless strict. */
function verifyHostKey(ctx: HandshakeContext, hop: Hop, key: Buffer): SshError | undefined {
  const verdict = ctx.knownHosts.check(hop.host, hop.port, key);
  switch (verdict.status) {
    case 'known':
      return undefined;
    case 'changed':
      return new SshError('hostkey-changed', changedKeyText(hop.host, hop.port, key, verdict.entry));
    case 'revoked':
      return new SshError('hostkey-changed', revokedKeyText(hop.host, hop.port, key, verdict.entry));
    case 'unknown': {
      if (ctx.options.strictHostKeys)
        return new SshError('hostkey-unknown', unknownKeyText(hop.host, hop.port, key, ctx.knownHosts.writableFile));
      const at = ctx.knownHosts.add(hop.host, hop.port, key);
      ctx.options.onNewHostKey?.({
        host: hop.host,
        port: hop.port,
        keyType: keyTypeOf(key),
        fingerprint: fingerprint(key),
        ...at,
      });
      return undefined;
    }
  }
}
