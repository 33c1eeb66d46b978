// Keyword tables for haproxy.cfg, the union over HAProxy 1.5 .. 3.5-dev: a keyword any version accepts is never
// reported as unknown. Derived from doc/configuration.txt (§3 global keyword lists and headings, §4.2 headings
// with their "May be used in sections" row) of tags v1.5.0 .. v3.4.0 and 3.5-dev5, plus `haproxy -dKcfg` of 2.6;
// the section letters were then corrected where `haproxy -c` of 2.6.12 disagrees with the docs.

/** Keywords of the global section (any `tune.*` is accepted too: the family grows every release). */
export const GLOBAL_KEYWORDS: ReadonlySet<string> = new Set(
  (
    '51degrees-allow-unmatched 51degrees-cache-size 51degrees-data-file 51degrees-difference 51degrees-drift ' +
    '51degrees-property-name-list 51degrees-property-separator 51degrees-use-performance-graph ' +
    '51degrees-use-predictive-graph acme.scheduler anonkey busy-polling ca-base chroot close-spread-time ' +
    'cluster-secret cpu-affinity cpu-map cpu-policy cpu-set crt-base daemon debug debug.counters default-path ' +
    'description devicatlas-properties-cookie deviceatlas-json-file deviceatlas-log-level ' +
    'deviceatlas-properties-cookie deviceatlas-separator deviceatlas-cache-size deviceatlas-property-separator dns-accept-family expose-deprecated-directives ' +
    'expose-experimental-directives external-check fd-hard-limit first-usable-node force-cfg-parser-pause gid grace ' +
    'group group-by-2-ccx group-by-2-clusters group-by-3-ccx group-by-3-clusters group-by-4-ccx group-by-4-clusters ' +
    'group-by-ccx group-by-cluster h1-accept-payload-with-any-method h1-case-adjust h1-case-adjust-file ' +
    'h1-do-not-close-on-insecure-transfer-encoding h2-workaround-bogus-websocket-clients hard-stop-after ' +
    'harden.reject-privileged-ports.quic harden.reject-privileged-ports.tcp http-err-codes http-fail-codes ' +
    'httpclient.resolvers.disabled httpclient.resolvers.id httpclient.resolvers.prefer httpclient.retries ' +
    'httpclient.ssl.ca-file httpclient.ssl.verify httpclient.timeout.connect insecure-fork-wanted ' +
    'insecure-setuid-wanted issuers-chain-path jwt.decrypt_alg_list jwt.decrypt_enc_list key-base limited-quic ' +
    'localpeer log log-send-hostname log-tag lua-load lua-load-per-thread lua-prepend-path master-worker ' +
    'max-spread-checks max-threads-per-group maxcompcpuusage maxcomprate maxconn maxconnrate maxpipes maxsessrate ' +
    'maxsslconn maxsslrate maxzlibmem mworker-max-reloads nbproc nbthread no-memory-trimming no-quic node noepoll ' +
    'noevports nogetaddrinfo nokqueue noktls nopoll noreuseport nosplice numa-cpu-mapping ocsp-update.disable ' +
    'ocsp-update.httpproxy ocsp-update.maxdelay ocsp-update.mindelay ocsp-update.mode pidfile pp2-never-send-local ' +
    'prealloc-fd presetenv profiling.memory profiling.tasks quick-exit quiet resetenv server-state-base ' +
    'server-state-file set-dumpable set-var set-var-fmt setcap setenv shm-stats-file shm-stats-file-max-objects ' +
    'spread-checks ssl-default-bind-ciphers ssl-default-bind-ciphersuites ssl-default-bind-client-sigalgs ' +
    'ssl-default-bind-curves ssl-default-bind-options ssl-default-bind-sigalgs ssl-default-server-ciphers ' +
    'ssl-default-server-ciphersuites ssl-default-server-client-sigalgs ssl-default-server-curves ' +
    'ssl-default-server-options ssl-default-server-sigalgs ssl-dh-param-file ssl-engine ssl-load-extra-del-ext ' +
    'ssl-load-extra-files ssl-mode-async ssl-passphrase-cmd ssl-propquery ssl-provider ssl-provider-path ' +
    'ssl-security-level ssl-server-verify ssl-skip-self-issued-ca stats stats-file stress-level strict-limits ' +
    'thread-group thread-groups thread-hard-limit trace traces uid ulimit-n unix-bind unsetenv user ' +
    'warn-blocked-traffic-after wurfl-cache-size wurfl-data-file wurfl-engine-mode wurfl-information-list ' +
    'wurfl-information-list-separator wurfl-patch-file wurfl-useragent-priority zero-warning '
  )
    .trim()
    .split(' '),
);

/**
 * Proxy keywords -> the sections that accept them: d(efaults) f(rontend) l(isten) b(ackend). Keywords whose
 * meaning depends on their second word (option, timeout, stats, ...) are keyed by both words.
 */
export const PROXY_KEYWORDS: ReadonlyMap<string, string> = new Map(
  (
    'acl=dflb, backlog=dfl, balance=dlb, be-unpublished=lb, bind=fl, bind-process=dflb, capture cookie=fl, ' +
    'capture request=fl, capture response=fl, clitcpka-cnt=dfl, clitcpka-idle=dfl, clitcpka-intvl=dfl, ' +
    'compression=dflb, cookie=dlb, declare capture=fl, default-server=dlb, default_backend=dfl, description=flb, ' +
    'disabled=dflb, dispatch=lb, dynamic-cookie-key=dlb, email-alert from=dflb, email-alert level=dflb, ' +
    'email-alert mailers=dflb, email-alert myhostname=dflb, email-alert to=dflb, enabled=dflb, ' +
    'error-log-format=dfl, errorfile=dflb, errorfiles=dflb, errorloc=dflb, errorloc302=dflb, errorloc303=dflb, ' +
    'external-check command=dflb, external-check path=dflb, filter=flb, filter-sequence=flb, force-be-switch=fl, ' +
    'force-persist=lb, fullconn=dlb, grace=dflb, guid=dflb, hash-balance-factor=dflb, hash-preserve-affinity=dlb, ' +
    'hash-type=dlb, http-after-response=dflb, http-check comment=dlb, http-check connect=dlb, ' +
    'http-check disable-on-404=dlb, http-check expect=dlb, http-check send=dlb, http-check send-state=dlb, ' +
    'http-check set-var=dlb, http-check set-var-fmt=dlb, http-check unset-var=dlb, http-error=dflb, ' +
    'http-request=dflb, http-response=dflb, http-reuse=dlb, http-send-name-header=dlb, id=flb, ignore-persist=lb, ' +
    'load-server-state-from-file=dlb, log=dflb, log-format=dflb, log-format-sd=dfl, log-steps=dfl, log-tag=dflb, ' +
    'max-keep-alive-queue=dlb, max-session-srv-conns=dfl, maxconn=dfl, mode=dflb, monitor fail=fl, ' +
    'monitor-net=dfl, monitor-uri=dfl, option abortonclose=dlb, option accept-invalid-http-request=dfl, ' +
    'option accept-invalid-http-response=dlb, option accept-unsafe-violations-in-http-request=dfl, ' +
    'option accept-unsafe-violations-in-http-response=dlb, option allbackups=dlb, option checkcache=dlb, ' +
    'option clitcpka=dfl, option contstats=dfl, option disable-h2-upgrade=dfl, option dontlog-normal=dfl, ' +
    'option dontlognull=dfl, option external-check=dflb, option forceclose=dflb, option forwarded=dlb, ' +
    'option forwardfor=dflb, option h1-case-adjust-bogus-client=dfl, option h1-case-adjust-bogus-server=dlb, ' +
    'option http-buffer-request=dflb, option http-drop-request-trailers=db, ' +
    'option http-drop-response-trailers=dfl, option http-ignore-probes=dfl, option http-keep-alive=dflb, ' +
    'option http-no-delay=dflb, option http-pretend-keepalive=dlb, option http-restrict-req-hdr-names=dflb, ' +
    'option http-server-close=dflb, option http-tunnel=dflb, option http-use-htx=dflb, ' +
    'option http-use-proxy-header=dfl, option http_proxy=dflb, option httpchk=dlb, option httpclose=dflb, ' +
    'option httplog=dflb, option httpslog=dfl, option idle-close-on-response=dfl, option independent-streams=dflb, option independant-streams=dflb, ' +
    'option ldap-check=dlb, option log-health-checks=dlb, option log-separate-errors=dfl, option logasap=dfl, ' +
    'option mysql-check=dlb, option nolinger=dflb, option originalto=dflb, option persist=dlb, ' +
    'option pgsql-check=dlb, option prefer-last-server=dlb, option redis-check=dlb, option redispatch=dlb, ' +
    'option smtpchk=dlb, option socket-stats=dfl, option splice-auto=dflb, option splice-request=dflb, ' +
    'option splice-response=dflb, option spop-check=dlb, option srvtcpka=dlb, option ssl-hello-chk=dlb, ' +
    'option tcp-check=dlb, option tcp-smart-accept=dfl, option tcp-smart-connect=dlb, option tcpka=dflb, ' +
    'option tcplog=dflb, option transparent=dlb, option use-small-buffers=dlb, persist rdp-cookie=dflb, ' +
    'quic-initial=dfl, rate-limit sessions=dfl, redirect=flb, retries=dlb, retry-on=dlb, server=lb, ' +
    'server-state-file-name=dlb, server-template=lb, source=dlb, srvtcpka-cnt=dlb, srvtcpka-idle=dlb, ' +
    'srvtcpka-intvl=dlb, ssl-f-use=fl, stats admin=flb, stats auth=dflb, stats enable=dflb, ' +
    'stats hide-version=dflb, stats http-request=lb, stats realm=dflb, stats refresh=dflb, stats scope=dflb, ' +
    'stats show-desc=dflb, stats show-legends=dflb, stats show-modules=dflb, stats show-node=dflb, ' +
    'stats show-version=dflb, stats uri=dflb, stick match=lb, stick on=lb, stick store-request=lb, ' +
    'stick store-response=lb, stick-table=flb, tcp-check comment=dlb, tcp-check connect=dlb, tcp-check expect=dlb, ' +
    'tcp-check send=dlb, tcp-check send-binary=dlb, tcp-check send-binary-lf=dlb, tcp-check send-lf=dlb, ' +
    'tcp-check set-var=dlb, tcp-check set-var-fmt=dlb, tcp-check unset-var=dlb, tcp-request connection=fld, ' +
    'tcp-request content=dflb, tcp-request inspect-delay=dflb, tcp-request session=fld, tcp-response content=dlb, ' +
    'tcp-response inspect-delay=dlb, timeout check=dlb, timeout client=dfl, timeout client-fin=dfl, ' +
    'timeout client-hs=dfl, timeout clitimeout=dfl, timeout connect=dlb, timeout contimeout=dlb, ' +
    'timeout http-keep-alive=dflb, timeout http-request=dflb, timeout queue=dlb, timeout server=dlb, ' +
    'timeout server-fin=dlb, timeout srvtimeout=dlb, timeout tarpit=dflb, timeout tunnel=dlb, transparent=dflb, ' +
    'unique-id-format=dflb, unique-id-header=dflb, use-fcgi-app=lb, use-server=lb, use_backend=fl '
  )
    .split(',')
    .map((entry) => entry.trim().split('=') as [string, string]),
);

/** Keywords that need a *named* defaults section when used in defaults (since 2.5). */
export const NAMED_DEFAULTS_ONLY: ReadonlySet<string> = new Set([
  'acl',
  'http-request',
  'http-response',
  'http-after-response',
  'tcp-request',
  'tcp-response',
  'quic-initial',
]);

/** Keywords whose second word selects a distinct keyword (the PROXY_KEYWORDS key has both words). */
export const TWO_WORD_KEYWORDS: ReadonlySet<string> = new Set([
  'option',
  'timeout',
  'stats',
  'http-check',
  'tcp-check',
  'capture',
  'email-alert',
  'external-check',
  'monitor',
  'stick',
  'tcp-request',
  'tcp-response',
  'rate-limit',
  'persist',
  'declare',
]);

/*
 * Keywords removed from HAProxy: fatal from `since` on (before it they are known keywords), with what replaces
 * them (`use`, empty: just remove it). Keys are `global:<kw>` or `proxy:<kw>`; options are keyed `proxy:option <name>`.
 */
const REMOVED_PROXY_KEYWORDS: ReadonlyArray<readonly [string, string, string]> = [
  ...['reqadd'].map((k) => [k, '2.1', 'http-request add-header'] as const),
  ...['reqrep', 'reqirep'].map((k) => [k, '2.1', 'http-request replace-header'] as const),
  ...['reqdel', 'reqidel'].map((k) => [k, '2.1', 'http-request del-header'] as const),
  ...['reqdeny', 'reqideny', 'block'].map((k) => [k, '2.1', 'http-request deny'] as const),
  ...['reqallow', 'reqiallow'].map((k) => [k, '2.1', 'http-request allow'] as const),
  ...['reqtarpit', 'reqitarpit'].map((k) => [k, '2.1', 'http-request tarpit'] as const),
  ...['reqpass', 'reqipass'].map((k) => [k, '2.1', 'http-request'] as const),
  ...['reqsetbe', 'reqisetbe'].map((k) => [k, '2.1', 'use_backend'] as const),
  ...['rspadd'].map((k) => [k, '2.1', 'http-response add-header'] as const),
  ...['rsprep', 'rspirep'].map((k) => [k, '2.1', 'http-response replace-header'] as const),
  ...['rspdel', 'rspidel'].map((k) => [k, '2.1', 'http-response del-header'] as const),
  ...['rspdeny', 'rspideny'].map((k) => [k, '2.1', 'http-response deny'] as const),
  ['redispatch', '2.1', 'option redispatch'] as const,
  ['redisp', '2.1', 'option redispatch'] as const,
  ['clitimeout', '2.1', 'timeout client'] as const,
  ['contimeout', '2.1', 'timeout connect'] as const,
  ['srvtimeout', '2.1', 'timeout server'] as const,
  ['appsession', '1.6', 'stick-table'] as const,
  ['option http-tunnel', '2.1', ''] as const,
  ['option http-use-htx', '2.5', ''] as const,
  ['option http_proxy', '2.5', 'http-request set-dst'] as const,
];
export const REMOVED_KEYWORDS: ReadonlyMap<string, { since: string; use: string }> = new Map([
  ...REMOVED_PROXY_KEYWORDS.map(([k, since, use]) => [`proxy:${k}`, { since, use }] as const),
  ['global:nbproc', { since: '2.5', use: 'nbthread' }],
  ['global:debug', { since: '2.3', use: '' }],
]);

export type SectionKeyword =
  | 'global'
  | 'defaults'
  | 'frontend'
  | 'backend'
  | 'listen'
  | 'peers'
  | 'resolvers'
  | 'userlist'
  | 'mailers'
  | 'cache'
  | 'program'
  | 'http-errors'
  | 'ring'
  | 'fcgi-app'
  | 'log-forward'
  | 'namespace_list'
  | 'crt-store'
  | 'traces'
  | 'log-profile'
  | 'acme'
  | 'healthcheck';

/** Section keywords and the versions that know them (`until` = first version without it). */
export const SECTION_KEYWORDS: ReadonlyMap<string, { since?: string; until?: string }> = new Map<
  SectionKeyword,
  { since?: string; until?: string }
>([
  ['global', {}],
  ['defaults', {}],
  ['frontend', {}],
  ['backend', {}],
  ['listen', {}],
  ['peers', {}],
  ['resolvers', {}],
  ['userlist', {}],
  ['mailers', {}],
  ['namespace_list', {}],
  ['cache', { since: '1.8' }],
  ['program', { since: '1.9', until: '3.3' }],
  ['fcgi-app', { since: '2.1' }],
  ['http-errors', { since: '2.2' }],
  ['ring', { since: '2.2' }],
  ['log-forward', { since: '2.3' }],
  ['crt-store', { since: '3.0' }],
  ['traces', { since: '3.1' }],
  ['log-profile', { since: '3.1' }],
  ['acme', { since: '3.2' }],
  ['healthcheck', { since: '3.4' }],
]);

/** Server/default-server parameters that take a value (the others are flags); `source` takes 1 or more. */
export const SERVER_VALUE_PARAMS: ReadonlySet<string> = new Set(
  (
    'addr agent-addr agent-inter agent-port agent-send alpn ca-file check-alpn check-proto check-sni ciphers ' +
    'ciphersuites client-sigalgs cookie crl-file crt curves downinter error-limit fall fastinter guid hash-key id ' +
    'idle-ping init-addr init-state inter log-bufsize log-proto max-reuse maxconn maxqueue minconn namespace npn ' +
    'observe on-error on-marked-down on-marked-up pool-conn-name pool-low-conn pool-max-conn pool-purge-delay port ' +
    'proto proxy-v2-options redir resolve-net resolve-opts resolve-prefer resolvers rise set-proxy-v2-tlv-fmt ' +
    'shard sigalgs slowstart sni socks4 source ssl-max-ver ssl-min-ver tcp-md5sig tcp-ut track ' +
    'usesrc verify verifyhost weight ws'
  ).split(' '),
);

/** Server/default-server flags (no value), for the case check: keywords are case-sensitive, `Backup` is unknown. */
export const SERVER_FLAG_PARAMS: ReadonlySet<string> = new Set(
  (
    'backup disabled enabled check check-send-proxy check-ssl check-via-socks4 force-sslv3 force-tlsv10 force-tlsv11 ' +
    'force-tlsv12 force-tlsv13 no-backup no-check no-check-ssl no-send-proxy no-send-proxy-v2 no-ssl no-ssl-reuse ' +
    'no-sslv3 no-tfo no-tls-tickets no-tlsv10 no-tlsv11 no-tlsv12 no-tlsv13 no-verifyhost non-stick send-proxy ' +
    'send-proxy-v2 send-proxy-v2-ssl send-proxy-v2-ssl-cn ssl ssl-reuse stick tfo tls-tickets allow-0rtt agent-check no-agent-check'
  ).split(' '),
);

/** ACLs every proxy has (src/acl.c default_acl_list, v2.6.0:755): names are case-sensitive. */
export const PREDEFINED_ACLS: ReadonlySet<string> = new Set([
  'TRUE',
  'FALSE',
  'LOCALHOST',
  'HTTP',
  'HTTP_1.0',
  'HTTP_1.1',
  'HTTP_2.0',
  'HTTP_3.0',
  'METH_CONNECT',
  'METH_DELETE',
  'METH_GET',
  'METH_HEAD',
  'METH_OPTIONS',
  'METH_POST',
  'METH_PUT',
  'METH_TRACE',
  'HTTP_URL_ABS',
  'HTTP_URL_SLASH',
  'HTTP_URL_STAR',
  'HTTP_CONTENT',
  'RDP_COOKIE',
  'REQ_CONTENT',
  'WAIT_END',
]);

/** Numeric "a.b" version comparison; unparsable versions count as the newest. */
export function versionAtLeast(version: string, wanted: string): boolean {
  const parse = (v: string) => {
    const m = /^(\d+)\.(\d+)/.exec(v);
    return m ? [Number(m[1]), Number(m[2])] : [Infinity, Infinity];
  };
  const [a, b] = parse(version);
  const [c, d] = parse(wanted);
  return a !== c ? a > c : b >= d;
}
