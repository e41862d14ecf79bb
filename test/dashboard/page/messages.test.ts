import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LANG, fill, MESSAGES, pickLang } from '../../../src/dashboard/page/messages.js';

describe('pickLang', () => {
  it('takes ?lang= over Accept-Language, in any case', () => {
    assert.equal(pickLang('es', 'en-US,en;q=0.9'), 'es');
    assert.equal(pickLang('EN', 'es-CO,es;q=0.9'), 'en');
  });

  it('ignores a ?lang= it does not speak', () => {
    assert.equal(pickLang('fr', 'es-CO'), 'es');
    assert.equal(pickLang('', 'es'), 'es');
  });

  it('takes the language Accept-Language rates highest, a region counting for its language', () => {
    assert.equal(pickLang(undefined, 'es-CO,es;q=0.9,en;q=0.8'), 'es');
    assert.equal(pickLang(undefined, 'en-US,en;q=0.9,es;q=0.8'), 'en');
    assert.equal(pickLang(undefined, 'fr-FR,fr;q=0.9,es;q=0.5,en;q=0.4'), 'es');
    assert.equal(pickLang(undefined, 'en;q=0.2, es-MX;q=0.7'), 'es');
    assert.equal(pickLang(undefined, 'ES-co'), 'es');
  });

  it('breaks a tie in q by the order of the header', () => {
    assert.equal(pickLang(undefined, 'en;q=0.5, es;q=0.5'), 'en');
    assert.equal(pickLang(undefined, 'es;q=0.5, en;q=0.5'), 'es');
  });

  it('honours q=0 as a refusal and * as any other language', () => {
    assert.equal(pickLang(undefined, 'es;q=0, en;q=0.1'), 'en');
    assert.equal(pickLang(undefined, 'es;q=0.5, *;q=0.9'), 'en');
    assert.equal(pickLang(undefined, 'en;q=0, *'), 'es');
  });

  it('skips an entry with a malformed q', () => {
    assert.equal(pickLang(undefined, 'es;q=abc, en;q=0.1'), 'en');
    assert.equal(pickLang(undefined, 'es;q=1.5, en;q=0.1'), 'en');
  });

  it('falls back to English when nothing names a language it speaks', () => {
    assert.equal(DEFAULT_LANG, 'en');
    assert.equal(pickLang(undefined, undefined), 'en');
    assert.equal(pickLang(undefined, ''), 'en');
    assert.equal(pickLang(undefined, 'fr-FR,de;q=0.5'), 'en');
    assert.equal(pickLang(undefined, 'es;q=0'), 'en');
    assert.equal(pickLang(undefined, '*'), 'en');
    assert.equal(pickLang(undefined, ',,;;q=,'), 'en');
  });
});

describe('MESSAGES', () => {
  it('has every key in both languages, none empty', () => {
    assert.deepEqual(Object.keys(MESSAGES.es).sort(), Object.keys(MESSAGES.en).sort());
    for (const table of Object.values(MESSAGES)) {
      for (const [key, text] of Object.entries(table)) assert.ok(text.trim(), key);
    }
  });

  it('uses the same placeholders in both languages', () => {
    const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();
    for (const [key, text] of Object.entries(MESSAGES.en)) {
      assert.deepEqual(placeholders(MESSAGES.es[key as keyof typeof MESSAGES.es]), placeholders(text), key);
    }
  });
});

describe('fill', () => {
  it('replaces the named placeholders and leaves unknown ones', () => {
    assert.equal(fill('since {time}, {other}', { time: '14:05' }), 'since 14:05, {other}');
  });
});
