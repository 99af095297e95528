// Child process of `ledgerlab bench load`: loads one checkpoint directory into the decoder with the given
// storage and prints one JSON line with the process's peak RSS (getrusage maxrss), its RSS before loading
// (runtime and library only), and the load time. A fresh process per measurement, so peaks do not mix.
import { Gpt, initBackend, loadPretrained, memoryBreakdown } from '../lib/index.ts';

const [dir, quant] = process.argv.slice(2);
await initBackend();
const before = process.resourceUsage().maxRSS * 1024;
const t0 = performance.now();
const p = loadPretrained(dir!);
const model = Gpt.fromWeights(p.config, p.weights, { quant: quant as never });
const seconds = (performance.now() - t0) / 1000;
const peak = process.resourceUsage().maxRSS * 1024;
const mem = memoryBreakdown(model, 'adamw');
console.log(JSON.stringify({ quant, seconds, peakRssBytes: peak, rssBeforeBytes: before, frozenBytes: mem.frozenBytes, frozenByDtype: mem.frozenByDtype }));
model.dispose();
