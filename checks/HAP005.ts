// HAP005: the client IP is added to X-Forwarded-For of every request: `option forwardfor` in the frontend, the
// backend or their defaults, or `http-request set-header|add-header X-Forwarded-For %[src]`.
import {
  CONFIG_SKIP_MESSAGES,
  PROXY_SKIP_MESSAGES,
  REFUSED_MESSAGES,
  reportRefused,
  at,
  forEachProxy,
  proxiesNamed,
} from '../src/facts/haproxy.js';
import { haproxyExample } from '../src/facts/haproxy-examples.js';
import { XFF_HEADER, constantCondition, type ResolvedProxy } from '../src/parsers/haproxy-resolve.js';
import { defineCheck } from '../src/model/check.js';

const CLIENT_IP = '%[src]';

const check = defineCheck({
  id: 'HAP005',
  title: { en: 'Client IP added to X-Forwarded-For', ru: 'IP-адрес клиента добавляется в header X-Forwarded-For' },
  area: 'haproxy',
  mode: 'static',
  points: 2,
  severity: 'major',
  spec: 'Requirements 2 (Frontend): adds the client IP address to the X-Forwarded-For header of every incoming request',
  asserts: {
    en: 'Every request through the frontend gets the client IP in X-Forwarded-For: option forwardfor (frontend, backend or defaults) or an unconditional http-request set-header/add-header X-Forwarded-For %[src].',
    ru: 'Каждый запрос через фронтенд получает IP клиента в X-Forwarded-For: option forwardfor (во фронтенде, бэкенде или defaults) или безусловное http-request set-header/add-header X-Forwarded-For %[src].',
  },
  messages: {
    ...CONFIG_SKIP_MESSAGES,
    ...PROXY_SKIP_MESSAGES,
    ...REFUSED_MESSAGES,
    missing: {
      en: 'nothing adds the client IP to X-Forwarded-For in frontend {name} or backend {backend}',
      ru: 'ни фронтенд {name}, ни бэкенд {backend} не добавляют IP клиента в X-Forwarded-For',
    },
    ifNone: {
      en: '`option forwardfor if-none` adds the header only when the client did not send one, not to every request',
      ru: '`option forwardfor if-none` добавляет заголовок только если клиент его не прислал, а не ко всем запросам',
    },
    otherHeader: {
      en: 'option forwardfor writes the client IP into the header {header}, not X-Forwarded-For',
      ru: 'option forwardfor записывает IP клиента в заголовок {header}, а не в X-Forwarded-For',
    },
    notHttp: {
      en: 'option forwardfor is ignored: {name} works in {mode} mode, not http',
      ru: 'option forwardfor игнорируется: {name} работает в режиме {mode}, а не http',
    },
    neverApplies: {
      en: 'the X-Forwarded-For rule never applies: `{condition}` is false for every request (TRUE and FALSE are predefined ACLs)',
      ru: 'правило для X-Forwarded-For не применяется никогда: `{condition}` ложно для любого запроса (TRUE и FALSE — предопределённые ACL)',
    },
    conditional: {
      en: 'the X-Forwarded-For rule applies only {condition}, not to every request',
      ru: 'правило для X-Forwarded-For действует только при условии {condition}, а не для всех запросов',
    },
    inherited: {
      en: 'option forwardfor is inherited from {section}, line {line}',
      ru: 'option forwardfor унаследована из {section}, строка {line}',
    },
    inBackend: {
      en: 'option forwardfor is set in backend {backend} rather than in the frontend: the header is added all the same',
      ru: 'option forwardfor задана в бэкенде {backend}, а не во фронтенде: заголовок всё равно добавляется',
    },
    except: {
      en: 'option forwardfor skips clients from {except}',
      ru: 'option forwardfor не добавляет заголовок для клиентов из {except}',
    },
    setHeader: {
      en: 'X-Forwarded-For is set by `http-request {action}` (set-header replaces what the client sent, unlike option forwardfor)',
      ru: 'X-Forwarded-For задаётся через `http-request {action}` (set-header заменяет присланное клиентом значение, в отличие от option forwardfor)',
    },
  },
  hints: {
    ifNone: { en: 'Remove if-none: option forwardfor', ru: 'Уберите if-none: option forwardfor' },
    otherHeader: {
      en: 'Remove the header argument: option forwardfor',
      ru: 'Уберите аргумент header: option forwardfor',
    },
    notHttp: {
      en: 'Put mode http in frontend front_cluster (or in its defaults section).',
      ru: 'Укажите mode http во frontend front_cluster (или в его секции defaults).',
    },
    conditional: {
      en: 'Drop the if/unless condition, or use option forwardfor.',
      ru: 'Уберите условие if/unless или используйте option forwardfor.',
    },
  },
  hint: {
    en: 'Add option forwardfor to frontend front_cluster.',
    ru: 'Добавьте option forwardfor во frontend front_cluster.',
  },
  doc: {
    rationale: {
      en: 'HAProxy adds X-Forwarded-For when the frontend or the backend has `option forwardfor` (also inherited from defaults), after all http-request rules; the header is appended, so a client-sent value stays. `if-none` skips requests that already carry the header, `header <name>` writes another header, and in tcp mode the option is ignored. `http-request set-header X-Forwarded-For %[src]` has the same effect for the backend server.',
      ru: 'HAProxy добавляет X-Forwarded-For, если у фронтенда или бэкенда есть `option forwardfor` (в том числе унаследованная из defaults), после всех правил http-request; заголовок дописывается, присланное клиентом значение остаётся. `if-none` пропускает запросы, где заголовок уже есть, `header <имя>` пишет другой заголовок, а в режиме tcp опция игнорируется. `http-request set-header X-Forwarded-For %[src]` даёт бэкенд-серверу тот же результат.',
    },
    failing: {
      file: 'haproxy.cfg',
      text: haproxyExample({
        frontend: [
          'bind *:443 ssl crt /etc/haproxy/rebrain.pem',
          'mode http',
          'option forwardfor if-none',
          'default_backend back_cluster',
        ],
      }),
    },
    passing: {
      file: 'haproxy.cfg',
      text: haproxyExample({
        frontend: [
          'bind *:443 ssl crt /etc/haproxy/rebrain.pem',
          'mode http',
          'http-request set-header X-Forwarded-For %[src]',
          'default_backend back_cluster',
        ],
      }),
    },
    fix: {
      en: 'Put option forwardfor (without if-none or header) in frontend front_cluster, in http mode.',
      ru: 'Добавьте option forwardfor (без if-none и header) во frontend front_cluster, в режиме http.',
    },
  },
  async run(ctx) {
    await forEachProxy(ctx, 'frontend', (frontend, file, resolved) => {
      if (
        reportRefused(ctx, file.role, frontend, [
          'option forwardfor',
          'http-request set-header',
          'http-request add-header',
        ])
      )
        return;
      const host = file.role;
      const backendName = frontend.defaultBackend.value ?? ctx.profile.backendName;
      const [backend] = proxiesNamed(resolved, backendName, 'backend');
      const sides = backend && backend !== frontend ? [frontend, backend] : [frontend];
      const withOption = sides.filter((p) => p.forwardfor.value);
      const point = (p: ResolvedProxy, origin = p.forwardfor.origin) => {
        const w = at(origin, p);
        return {
          host,
          file: w.file,
          line: w.line,
          excerpt: w.excerpt,
          data: { ...w.data, name: p.name, backend: backendName },
        };
      };

      // HTTP features are ignored outside http mode (an http frontend cannot use a tcp backend anyway).
      const httpSides = sides.filter((p) => p.mode.value === 'http');
      const effective = withOption.filter((p) => p.mode.value === 'http');
      // The header name comes from the backend when it has the option; if-none counts only if every side says so.
      const headerSide = effective.find((p) => p === backend) ?? effective[0];
      const header = headerSide?.forwardfor.value?.header;
      const allIfNone = effective.length > 0 && effective.every((p) => p.forwardfor.value!.ifNone);
      const optionWorks = effective.length > 0 && !allIfNone && header?.toLowerCase() === XFF_HEADER.toLowerCase();

      const written = httpSides
        .flatMap((p) => p.xffRules.map((r) => ({ proxy: p, rule: r })))
        .filter(({ rule }) => rule.value === CLIENT_IP);
      // `if TRUE` / `unless FALSE` apply to every request; `if FALSE` / `unless TRUE` to none.
      const rules = written.filter(({ rule }) => !rule.condition || constantCondition(rule.condition) !== false);
      const unconditional = rules.find(({ rule }) => !rule.condition || constantCondition(rule.condition) === true);

      if (optionWorks) {
        const p = headerSide!;
        const ff = p.forwardfor.value!;
        if (p.forwardfor.origin?.inherited) ctx.report({ ...point(p), kind: 'note', messageId: 'inherited' });
        else if (p !== frontend) ctx.report({ ...point(p), kind: 'note', messageId: 'inBackend' });
        if (ff.except)
          ctx.report({ ...point(p), kind: 'note', messageId: 'except', data: { ...point(p).data, except: ff.except } });
        return;
      }
      if (unconditional) {
        const { proxy, rule } = unconditional;
        ctx.report({
          ...point(proxy, rule.origin),
          kind: 'note',
          messageId: 'setHeader',
          data: { ...point(proxy, rule.origin).data, action: rule.action },
        });
        return;
      }
      if (effective.length > 0 && header?.toLowerCase() !== XFF_HEADER.toLowerCase()) {
        ctx.report({
          ...point(headerSide!),
          messageId: 'otherHeader',
          data: { ...point(headerSide!).data, header: header ?? '' },
        });
      } else if (allIfNone) {
        ctx.report({ ...point(effective[0]), messageId: 'ifNone' });
      } else if (withOption.length > 0) {
        const p = withOption[0];
        ctx.report({ ...point(p), messageId: 'notHttp', data: { ...point(p).data, name: p.name, mode: p.mode.value } });
      } else if (written.length > 0 && rules.length === 0) {
        const { proxy, rule } = written[0];
        ctx.report({
          ...point(proxy, rule.origin),
          messageId: 'neverApplies',
          data: { ...point(proxy, rule.origin).data, condition: rule.condition ?? '' },
        });
      } else if (rules.length > 0) {
        const { proxy, rule } = rules[0];
        ctx.report({
          ...point(proxy, rule.origin),
          messageId: 'conditional',
          data: { ...point(proxy, rule.origin).data, condition: rule.condition ?? '' },
        });
      } else {
        const h = frontend.section.header;
        ctx.report({
          host,
          file: h.file,
          line: h.line,
          excerpt: h.text.trim(),
          messageId: 'missing',
          data: { name: frontend.name, backend: backendName },
        });
      }
    });
  },
});

export default check;
