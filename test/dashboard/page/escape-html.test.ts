import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, html, SafeHtml } from '../../../src/dashboard/page/escape-html.js';

describe('escapeHtml', () => {
  it('escapes the five characters that matter in text and quoted attributes', () => {
    assert.equal(
      escapeHtml(`<a href="x" title='y'>&amp;</a>`),
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });

  it('leaves other text, accents included, alone', () => {
    assert.equal(escapeHtml('Bogotá 16.4 °C'), 'Bogotá 16.4 °C');
    assert.equal(escapeHtml(42), '42');
  });
});

describe('html', () => {
  it('escapes every interpolated string and number', () => {
    assert.equal(html`<p title="${'"x"'}">${'<b>'}${3}</p>`.value, '<p title="&quot;x&quot;">&lt;b&gt;3</p>');
  });

  it('inserts SafeHtml and lists of it as they are', () => {
    const items = ['a<', 'b'].map((item) => html`<li>${item}</li>`);
    assert.equal(
      html`<ul>${items}</ul>${new SafeHtml('<br>')}`.value,
      '<ul><li>a&lt;</li><li>b</li></ul><br>',
    );
  });

  it('renders nothing for false, null and undefined', () => {
    assert.equal(html`[${false}${null}${undefined}]`.value, '[]');
  });
});
