import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderPage } from '../../../src/dashboard/page/render-page.js';
import { normalModel } from './page-models.js';
import { parseDocument } from './tiny-dom.js';

describe('the chart boxes', () => {
  const doc = parseDocument(renderPage(normalModel()));
  const box = (id: string) => {
    const element = doc.querySelector(`#${id}`);
    assert.ok(element, id);
    return element.dataset;
  };

  it('declare the unit and the precision of the readings they chart', () => {
    assert.deepEqual(
      ['chart-temperature', 'chart-humidity', 'chart-compare'].map((id) => [box(id).unit, box(id).precision]),
      [
        ['°C', '0.1'],
        ['%', '1'],
        ['°C', '0.1'],
      ],
    );
  });

  it('bound humidity to 0-100 %, and temperature not at all', () => {
    assert.deepEqual([box('chart-humidity').min, box('chart-humidity').max], ['0', '100']);
    assert.deepEqual([box('chart-temperature').min, box('chart-temperature').max], [undefined, undefined]);
  });
});

describe('the zoom of the charts', () => {
  it('says how to zoom and offers a reset in the language of the page, both hidden until the script runs', () => {
    const shown = (['en', 'es'] as const).map((lang) => {
      const bar = parseDocument(renderPage(normalModel({ lang }))).querySelector('[data-role="chart-zoom"]');
      const reset = bar?.querySelector('button[data-role="reset-zoom"]');
      assert.ok(bar && reset);
      assert.ok(bar.hidden && reset.hidden);
      assert.equal(reset.getAttribute('type'), 'button');
      return [bar.querySelector('span')?.text, reset.text];
    });
    assert.deepEqual(shown, [
      ['Drag across a chart to zoom in.', 'Reset zoom'],
      ['Arrastre sobre una gráfica para acercarla.', 'Quitar el zoom'],
    ]);
  });
});
