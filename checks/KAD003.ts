// KAD003: master's and backup's VIP instances agree on what VRRP compares: virtual_router_id,
// authentication (type, and the password as keepalived truncates it), advert_int, and the VIP.
import { CONFIG_SKIP_MESSAGES, vipInstanceOrSkip } from '../src/facts/keepalived.js';
import { effectiveAuth, vipSet } from '../src/facts/vrrp-instances.js';
import { keepalivedExample } from '../src/facts/keepalived-examples.js';
import type { SourceRef, VrrpInstance } from '../src/parsers/keepalived.js';
import { defineCheck, type CheckContext, type MessageIdOf } from '../src/model/check.js';

/** The context of this check: helpers below report only its own ids. */
type Ctx = CheckContext<MessageIdOf<typeof check>>;

const check = defineCheck({
  id: 'KAD003',
  title: { en: 'both VRRP instances agree', ru: 'экземпляры VRRP на обеих машинах согласованы' },
  area: 'keepalived',
  mode: 'static',
  points: 2,
  severity: 'critical',
  spec: 'Requirements 5 (keepalived): one virtual IP shared by master and backup',
  asserts: {
    en: "Master's and backup's VIP instances have the same virtual_router_id, authentication type and password (its first 8 bytes, after comments are cut), advert_int and virtual IP addresses.",
    ru: 'У экземпляров с виртуальным ip на master и backup совпадают virtual_router_id, тип и пароль аутентификации (первые 8 байт, после отсечения комментариев), advert_int и виртуальные адреса.',
  },
  messages: {
    ...CONFIG_SKIP_MESSAGES,
    vridMismatch: {
      en: 'virtual_router_id is {backup} here but {master} on master: the two nodes are different VRRP routers',
      ru: 'virtual_router_id здесь {backup}, а на master {master}: это два разных VRRP-маршрутизатора',
    },
    vridMissing: {
      en: 'virtual_router_id is not set on {where}: keepalived refuses the instance',
      ru: 'virtual_router_id не задан на {where}: keepalived не принимает экземпляр',
    },
    authTypeMismatch: {
      en: "auth_type is {backup} here but {master} on master: each node drops the other's adverts",
      ru: 'auth_type здесь {backup}, а на master {master}: каждая машина отбрасывает объявления другой',
    },
    authPassMismatch: {
      en: "auth_pass as keepalived uses it (its first 8 bytes, up to any `!` or `#`) differs from master's: each node drops the other's adverts and both become MASTER",
      ru: 'auth_pass в том виде, как его использует keepalived (первые 8 байт, до `!` или `#`), отличается от пароля на master: каждая машина отбрасывает объявления другой, и обе становятся MASTER',
    },
    authPassCut: {
      en: 'auth_pass is cut at its `{char}` (character {position}): keepalived reads only the {length} characters before it, because `!` and `#` start a comment',
      ru: 'auth_pass обрезается на символе `{char}` (позиция {position}): keepalived читает только {length} символов перед ним, потому что `!` и `#` начинают комментарий',
    },
    authPassTruncated: {
      en: 'auth_pass is {length} bytes long: keepalived uses only its first 8',
      ru: 'auth_pass длиной {length} байт: keepalived использует только первые 8',
    },
    advertMismatch: {
      en: 'advert_int is {backup} here but {master} on master: VRRPv2 drops adverts with another interval',
      ru: 'advert_int здесь {backup}, а на master {master}: VRRPv2 отбрасывает объявления с другим интервалом',
    },
    vipMismatch: {
      en: 'virtual_ipaddress is {backup} here but {master} on master',
      ru: 'virtual_ipaddress здесь {backup}, а на master {master}',
    },
  },
  hints: {
    authPassCut: {
      en: 'Put the password in double quotes, or use one without `!` and `#`.',
      ru: 'Возьмите пароль в двойные кавычки или используйте пароль без `!` и `#`.',
    },
    authPassTruncated: {
      en: 'Use a password of at most 8 characters so what you read is what is compared.',
      ru: 'Используйте пароль не длиннее 8 символов, чтобы сравнивалось то, что написано.',
    },
  },
  hint: {
    en: 'Copy virtual_router_id, advert_int, the authentication block and virtual_ipaddress from master to backup unchanged.',
    ru: 'Скопируйте virtual_router_id, advert_int, блок authentication и virtual_ipaddress с master на backup без изменений.',
  },
  doc: {
    rationale: {
      en: "Two keepalived nodes form one virtual router only when their adverts match: a different virtual_router_id makes them separate routers, a different authentication type or password makes each drop the other's adverts (both become MASTER: split brain), and VRRPv2 drops adverts with another advert_int. keepalived compares only the first 8 bytes of auth_pass, and `!` or `#` inside it start a comment, so the compared values are shown as keepalived reads them.",
      ru: 'Две машины с keepalived образуют один виртуальный маршрутизатор, только если их объявления совпадают: другой virtual_router_id — это другой маршрутизатор, другие тип или пароль аутентификации — каждая машина отбрасывает объявления другой (обе становятся MASTER, split brain), а VRRPv2 отбрасывает объявления с другим advert_int. keepalived сравнивает только первые 8 байт auth_pass, а `!` и `#` внутри него начинают комментарий, поэтому значения показаны так, как их читает keepalived.',
    },
    failing: { file: 'keepalived.conf', text: keepalivedExample({ virtualRouterId: 'virtual_router_id 52' }) },
    passing: { file: 'keepalived.conf', text: keepalivedExample() },
    fix: {
      en: 'Make these lines identical on both hosts, then systemctl restart keepalived on both.',
      ru: 'Сделайте эти строки одинаковыми на обеих машинах, затем выполните systemctl restart keepalived на обеих.',
    },
  },
  async run(ctx) {
    const master = await vipInstanceOrSkip(ctx, 'master');
    const backup = await vipInstanceOrSkip(ctx, 'backup');
    for (const side of [master, backup]) if (side) notePassword(ctx, side.file.role, side.instance);
    if (!master || !backup) return;
    compare(ctx, master.instance, backup.instance);
  },
});

const finding = (at: SourceRef | undefined, fallback: SourceRef) => {
  const where = at ?? fallback;
  return { host: 'backup' as const, file: where.file, line: where.line, excerpt: where.text.trim() };
};

function compare(ctx: Ctx, m: VrrpInstance, b: VrrpInstance): void {
  if (m.virtualRouterId === undefined || b.virtualRouterId === undefined) {
    const where = [m.virtualRouterId === undefined ? 'master' : '', b.virtualRouterId === undefined ? 'backup' : '']
      .filter(Boolean)
      .join(', ');
    ctx.report({
      ...finding(undefined, b.virtualRouterId === undefined ? b.at : m.at),
      host: b.virtualRouterId === undefined ? 'backup' : 'master',
      messageId: 'vridMissing',
      data: { where },
    });
  } else if (m.virtualRouterId !== b.virtualRouterId) {
    ctx.report({
      ...finding(b.virtualRouterIdAt, b.at),
      messageId: 'vridMismatch',
      data: { master: m.virtualRouterId, backup: b.virtualRouterId },
    });
  }
  const [ma, ba] = [effectiveAuth(m), effectiveAuth(b)];
  if (ma.type !== ba.type) {
    ctx.report({
      ...finding(b.authentication?.typeAt, b.at),
      messageId: 'authTypeMismatch',
      data: { master: ma.type, backup: ba.type },
    });
  } else if (ma.pass !== ba.pass) {
    // The passwords themselves never reach a report: where they differ is enough to fix it.
    ctx.report({ ...finding(b.authentication?.passAt, b.at), messageId: 'authPassMismatch' });
  }
  if (m.advertInt !== b.advertInt) {
    ctx.report({
      ...finding(b.advertIntAt, b.at),
      messageId: 'advertMismatch',
      data: { master: m.advertInt, backup: b.advertInt },
    });
  }
  if (vipSet(m) !== vipSet(b)) {
    ctx.report({
      ...finding(b.vipsAt, b.at),
      messageId: 'vipMismatch',
      data: { master: vipSet(m) || '-', backup: vipSet(b) || '-' },
    });
  }
}

/** The password is not what it looks like: say so even when both hosts agree. */
function notePassword(ctx: Ctx, role: 'master' | 'backup', instance: VrrpInstance): void {
  const auth = instance.authentication;
  if (!auth?.passAt) return;
  const base = {
    kind: 'note' as const,
    host: role,
    file: auth.passAt.file,
    line: auth.passAt.line,
    excerpt: auth.passAt.text.trim(),
  };
  if (auth.cutFrom !== undefined) {
    const length = (auth.pass ?? '').length;
    ctx.report({
      ...base,
      messageId: 'authPassCut',
      data: { char: auth.cutFrom.replace(/\\([#!])/g, '$1')[length] ?? '!', position: length + 1, length },
    });
  } else if (auth.pass !== undefined && auth.effectivePass !== auth.pass) {
    ctx.report({ ...base, messageId: 'authPassTruncated', data: { length: Buffer.byteLength(auth.pass, 'utf8') } });
  }
}

export default check;
