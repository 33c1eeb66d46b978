// A hostile "host" on 127.0.0.1 for tests (issue 15): an ssh2 server that accepts any login and
// answers commands from a fault table, and raw TCP servers that misbehave before SSH even starts.
// hagrade's own file-reading scripts run for real (sh, locally) against a directory standing for
// the host's root, so FIFOs, device links and huge files meet the real script; everything else is
// answered from the table. Loopback only.
import { spawn } from 'node:child_process';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import ssh2 from 'ssh2';
import type { ServerChannel } from 'ssh2';

export type Reply =
  | { stdout?: string | Buffer; stderr?: string | Buffer; exit?: number }
  /** Writes `chunk` as fast as the channel takes it, forever. */
  | { endless: string; stderr?: boolean }
  /** Writes `text` one character every `everyMs`, forever (it repeats). */
  | { drip: string; everyMs: number }
  /** Never answers, never closes. */
  | { silent: true };

export interface HostileHostOptions {
  /** The directory standing for the host's `/`: hagrade's read and list scripts run against it. */
  root: string;
  /** First match wins, on the command's argv joined by spaces (after hagrade's env/timeout wrapper). */
  commands: Array<{ match: RegExp; reply: Reply }>;
  /** The SSH authentication banner sent before login. */
  banner?: string;
  /** After login, open channels (forwarded-tcpip, x11, auth agent) the client never asked for. */
  unsolicited?: boolean;
  /** Send an exit status the moment a command starts, before its output and its real exit status. */
  earlyExit?: boolean;
}

export interface Listening {
  port: number;
  close(): Promise<void>;
}

/** Read back what shellQuote wrote: words split on spaces, '…' and \x taken literally. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === ' ') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (ch === '\\') {
      word = (word ?? '') + line[++i];
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The command without hagrade's wrappers: `env LC_ALL=C [PATH=…]`, `timeout -k 2 N`. */
function payload(words: string[]): string[] {
  let w = words;
  for (;;) {
    if (w[0] === 'env') {
      w = w.slice(1);
      while (w[0] !== undefined && /^[A-Z_]+=/.test(w[0])) w = w.slice(1);
    } else if (w[0] === 'timeout' && w[1] === '-k') w = w.slice(4);
    else return w;
  }
}

function listen(server: NetServer | ssh2.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

function closer(
  server: NetServer | ssh2.Server,
  connections: Set<{ destroy?: () => void; end: () => void }>,
): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const c of connections) (c.destroy ?? c.end).call(c);
      server.close(() => resolve());
    });
}

function play(channel: ServerChannel, reply: Reply): void {
  const timers: NodeJS.Timeout[] = [];
  channel.on('close', () => timers.forEach(clearInterval));
  if ('silent' in reply) return;
  if ('endless' in reply) {
    const out = reply.stderr ? channel.stderr : channel;
    const chunk = Buffer.from(reply.endless.repeat(Math.max(1, Math.floor(16384 / Math.max(1, reply.endless.length)))));
    let open = true;
    channel.on('close', () => (open = false));
    const pump = (): void => {
      while (open && out.write(chunk));
      if (open) out.once('drain', pump);
    };
    pump();
    return;
  }
  if ('drip' in reply) {
    let i = 0;
    // unref: a drip whose connection was dropped without closing its channel must not keep the tests alive.
    timers.push(setInterval(() => channel.write(reply.drip[i++ % reply.drip.length]!), reply.everyMs).unref());
    return;
  }
  if (reply.stdout !== undefined) channel.write(reply.stdout);
  if (reply.stderr !== undefined) channel.stderr.write(reply.stderr);
  channel.exit(reply.exit ?? 0);
  channel.end();
}

/** Run one of hagrade's fixed scripts locally, with the host paths it reads moved under `root`. */
function runScript(channel: ServerChannel, script: string, args: string[], root: string): void {
  const moved = args.map((a) => (a.startsWith('/') ? root + a : a));
  const child = spawn('sh', ['-c', script, 'hagrade', ...moved], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(channel, { end: false });
  child.stderr.pipe(channel.stderr, { end: false });
  const kill = () => child.kill('SIGKILL');
  channel.on('close', kill);
  child.on('close', (code) => {
    channel.off('close', kill);
    channel.exit(code ?? 1);
    channel.end();
  });
}

/** The ssh2 server standing for a student's host. */
export async function startHostileHost(opts: HostileHostOptions): Promise<Listening> {
  const hostKey = ssh2.utils.generateKeyPairSync('ed25519').private;
  const connections = new Set<ssh2.Connection>();
  const server = new ssh2.Server(
    { hostKeys: [hostKey], ...(opts.banner !== undefined ? { banner: opts.banner } : {}) },
    (client) => {
      connections.add(client);
      client.on('close', () => connections.delete(client));
      client.on('error', () => undefined);
      client.on('authentication', (ctx) => ctx.accept());
      client.on('ready', () => {
        if (opts.unsolicited) {
          // Channels and requests hagrade never asked for: it must refuse or ignore them, not hang.
          client.forwardOut('127.0.0.1', 9, '127.0.0.1', 9, () => undefined);
          client.x11('127.0.0.1', 6000, () => undefined);
          (client as unknown as { openssh_authAgent?: (cb: () => void) => void }).openssh_authAgent?.(() => undefined);
        }
        client.on('session', (accept) => {
          const session = accept();
          session.on('pty', (acceptPty) => acceptPty?.());
          session.on('exec', (acceptExec, _reject, info) => {
            const channel = acceptExec();
            if (opts.earlyExit) channel.exit(7); // an exit status before any output, and another later
            const argv = payload(shellWords(info.command));
            if (argv[0] === 'sh' && argv[1] === '-c' && /stat -L|for f in/.test(argv[2] ?? ''))
              return runScript(channel, argv[2]!, argv.slice(4), opts.root);
            const joined = argv.join(' ');
            const entry = opts.commands.find((c) => c.match.test(joined));
            play(channel, entry?.reply ?? { stderr: `sh: 1: ${argv[0]}: not found\n`, exit: 127 });
          });
        });
      });
    },
  );
  const port = await listen(server);
  return { port, close: closer(server, connections) };
}

/** A TCP server that does `behave` to every connection instead of speaking SSH. */
export async function startRawServer(behave: (socket: Socket) => void): Promise<Listening> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    behave(socket);
  });
  const port = await listen(server);
  return {
    port,
    close: closer(server, sockets),
  };
}

/** Raw behaviours: a banner without end (lines, or one line), and a handshake that drips. */
export const RAW = {
  endlessBannerLines: (socket: Socket) => {
    const line = Buffer.from(`${'\x1b]0;pwned\x07'.repeat(50)}\r\n`);
    const pump = () => {
      while (!socket.destroyed && socket.write(line));
      if (!socket.destroyed) socket.once('drain', pump);
    };
    pump();
  },
  endlessBannerLine: (socket: Socket) => {
    const chunk = Buffer.alloc(65536, 'x');
    const pump = () => {
      while (!socket.destroyed && socket.write(chunk));
      if (!socket.destroyed) socket.once('drain', pump);
    };
    pump();
  },
  drippingHandshake: (socket: Socket) => {
    const ident = 'SSH-2.0-OpenSSH_9.6\r\n\0\0\x01\x0c';
    let i = 0;
    const timer = setInterval(
      () => (socket.destroyed ? clearInterval(timer) : socket.write(ident[i++ % ident.length]!)),
      200,
    ).unref();
    socket.on('close', () => clearInterval(timer));
  },
};
