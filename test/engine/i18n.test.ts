// Every user-facing text exists in English and Russian, with the same placeholders in both.
import { expect } from 'chai';
import { ENGINE_MESSAGES } from '../../src/i18n/engine-messages.js';
import { loadCatalogue } from '../../src/engine/registry.js';
import { langFromEnv } from '../../src/i18n/messages.js';
import { AREA_TITLES, STATUS_WORDS, UI } from '../../src/report/ui-text.js';
import type { Text } from '../../src/model/basics.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function problems(name: string, texts: Readonly<Partial<Record<string, Text>>>): string[] {
  const out: string[] = [];
  for (const [key, text] of Object.entries(texts)) {
    if (!text) {
      out.push(`${name}.${key}: text missing`);
      continue;
    }
    if (!text.en?.trim()) out.push(`${name}.${key}: English missing`);
    if (!text.ru?.trim()) out.push(`${name}.${key}: Russian missing`);
    else if (JSON.stringify(placeholders(text.en)) !== JSON.stringify(placeholders(text.ru))) {
      out.push(`${name}.${key}: placeholders differ: en ${placeholders(text.en)} / ru ${placeholders(text.ru)}`);
    }
  }
  return out;
}

describe('languages', () => {
  it('engine and report texts exist in both languages with the same placeholders', () => {
    expect([
      ...problems('engine', ENGINE_MESSAGES),
      ...problems('ui', UI),
      ...problems('area', AREA_TITLES),
      ...problems('status', STATUS_WORDS),
    ]).to.deep.equal([]);
  });

  it("every check's messages and hints have the same placeholders in English and Russian", async () => {
    const out: string[] = [];
    for (const check of await loadCatalogue()) {
      out.push(
        ...problems(`${check.id}.messages`, check.messages),
        ...problems(`${check.id}.hints`, check.hints ?? {}),
      );
    }
    expect(out).to.deep.equal([]);
  });

  it('the language follows the locale unless --lang says otherwise', () => {
    expect(langFromEnv({ LANG: 'ru_RU.UTF-8' })).to.equal('ru');
    expect(langFromEnv({ LC_ALL: 'en_US.UTF-8', LANG: 'ru_RU.UTF-8' })).to.equal('en');
    expect(langFromEnv({ LC_MESSAGES: 'ru_RU' })).to.equal('ru');
    expect(langFromEnv({})).to.equal('en');
  });
});
