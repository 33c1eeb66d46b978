// Rendering check messages in the user's language.
import type { Check } from '../model/check.js';
import type { Lang, Text } from '../model/basics.js';

/** Fill `{name}` placeholders; an unknown placeholder stays visible rather than vanishing. */
export function fill(template: string, data: Record<string, string | number> | undefined): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    data && Object.hasOwn(data, name) ? String(data[name]) : whole,
  );
}

export function pick(text: Text | undefined, lang: Lang): string | undefined {
  if (!text) return undefined;
  return text[lang] || text.en;
}

export function renderMessage(
  check: Check,
  messageId: string,
  data: Record<string, string | number> | undefined,
  lang: Lang,
): string {
  const template = check.messages[messageId];
  if (!template) return `${check.id}/${messageId}${data ? ` ${JSON.stringify(data)}` : ''}`;
  return fill(pick(template, lang)!, data);
}

export function renderHint(
  check: Check,
  messageId: string,
  data: Record<string, string | number> | undefined,
  lang: Lang,
): string | undefined {
  const hint = check.hints?.[messageId] ?? check.hint;
  const text = pick(hint, lang);
  return text === undefined ? undefined : fill(text, data);
}

/** Pick the language from LC_ALL / LC_MESSAGES / LANG, as most CLI tools do. */
export function langFromEnv(env: NodeJS.ProcessEnv = process.env): Lang {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^ru/i.test(locale) ? 'ru' : 'en';
}
