// What is graded: the lab profile (expected values) and the pair of hosts.

export interface ServerSpec {
  name: string;
  address: string;
  port: number;
}

/** Expected values of the assignment. Defaults follow LAB-SPEC.md; `--lab file.yaml` overrides. */
export interface LabProfile {
  haproxyCfgPath: string;
  keepalivedConfPath: string;
  certPath: string;
  frontendName: string;
  frontendPort: number;
  frontendMode: string;
  backendName: string;
  backendMode: string;
  balance: string;
  servers: ServerSpec[];
  serverMaxconn: number;
  vipPrefix: number;
  vipLabel: string;
  interface: string;
  sysctlPath: string;
  sysctlDir: string;
  sysctl: Record<string, string>;
  haproxyService: string;
  keepalivedService: string;
  /** HAProxy version assumed when the host's is unknown (affects the default `balance`). */
  haproxyVersion: string;
  /** Warn when the certificate expires within this many days. */
  certWarnDays: number;
  /** Requests per second the client probe sends to VIP:port during the failover probe; 0 turns it off. */
  clientRate: number;
  /**
   * Points of FOV004 (clients served through the VIP during failover). 0, the course's default: the
   * service timeline is evidence and notes only. A lab on a real L2 network may grade it.
   */
  servicePoints: number;
}

export interface HostTarget {
  /** Address (or alias) used to reach the host; for master normally its external address. */
  address: string;
  name?: string;
}

export interface Target {
  master: HostTarget;
  backup: HostTarget;
  /** The virtual IP; defaults to master's address when that is an IP. */
  vip?: string;
  student?: string;
}
