import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { meanCI, formatCI, t975 } from '../../lib/measure/stats.ts';
import { summarize, quantile } from '../../lib/measure/index.ts';

test('t quantiles: table values and the large-df expansion', () => {
  assert.is(t975(1), 12.7062);
  assert.is(t975(4), 2.7764);
  assert.ok(Math.abs(t975(60) - 2.0003) < 1e-4, String(t975(60)));
  assert.ok(Math.abs(t975(120) - 1.9799) < 1e-4, String(t975(120)));
});

test('mean and 95% t-interval, hand-checked', () => {
  // mean 2, sd 1, n 3 → half-width 4.3027 / sqrt(3)
  const ci = meanCI([1, 2, 3]);
  assert.is(ci.mean, 2);
  assert.is(ci.sd, 1);
  assert.ok(Math.abs(ci.hi - (2 + 4.3027 / Math.sqrt(3))) < 1e-12);
  assert.is(formatCI(ci), '2.00 [-0.48, 4.48]');
  assert.is(formatCI(meanCI([5])), '5.00 (n=1)');
  assert.is(formatCI(meanCI([])), '—');
});

test('median and IQR use linear interpolation (numpy default)', () => {
  assert.is(quantile([1, 2, 3, 4], 0.5), 2.5);
  const s = summarize([4, 1, 3, 2, 100]);
  assert.equal([s.median, s.q1, s.q3, s.iqr, s.min, s.max], [3, 2, 4, 2, 1, 100]);
});

test.run();
