import type { Command } from '../command.ts';
import { numberFlag } from '../args.ts';
import { fetchDataset, FETCHABLE_DATASETS, type FetchProgress } from '../../index.ts';

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

function progress(quiet: boolean): (p: FetchProgress) => void {
  let last = 0;
  return (p) => {
    if (quiet) return;
    const now = performance.now();
    if (p.fileBytes < p.fileSize && now - last < 2000) return;
    last = now;
    process.stderr.write(`${p.file} ${mb(p.fileBytes)}/${mb(p.fileSize)}  total ${mb(p.doneBytes)}/${mb(p.totalBytes)}\n`);
  };
}

export const dataFetchCommand: Command = {
  name: 'data fetch',
  summary: 'download the full public AdvertiseGen (Hugging Face hub) or E2E (GitHub) dataset, resumable and hash-checked',
  usage: `ledgerlab data fetch ${FETCHABLE_DATASETS.join('|')} [--dir DIR] [--json]`,
  help: [
    'advertisegen: the train and validation splits of the hub dataset HasturOfficial/adgen (LLaMA-Factory\'s adgen);',
    '  HF_ENDPOINT (a mirror) and HF_TOKEN are honoured; LFS files checked against the hub\'s sha256.',
    'e2e: trainset.csv, devset.csv, testset_w_refs.csv from github.com/tuetschek/e2e-dataset, each checked',
    '  against its git blob sha1 and size from GitHub\'s contents API (LEDGERLAB_E2E_URL overrides the API base).',
    'Files land in DIR (default .cache/datasets/<name>/ in the package) with manifest.json (size, sha256 per',
    'file); an interrupted transfer resumes where it stopped on the next run. Point data.path at a printed file.',
  ].join('\n'),
  positionals: [1, 1],
  options: { dir: { type: 'string' }, json: { type: 'boolean' }, attempts: { type: 'string' } },
  async run(args) {
    const r = await fetchDataset(args.positionals[0], {
      dir: args.values.dir as string | undefined, attempts: numberFlag(args, 'attempts', 5, { int: true, min: 1 }),
      onProgress: progress(process.env.LEDGERLAB_QUIET === '1'),
    });
    if (args.values.json) return void console.log(JSON.stringify(r));
    console.log(`${r.dataset} from ${r.source} @ ${r.revision}`);
    for (const f of r.files) console.log(`  ${f.split.padEnd(5)} ${f.name.padEnd(28)} ${mb(f.size).padStart(9)}  ${f.checked} ok  sha256 ${f.sha256.slice(0, 16)}…  data.path: ${f.path}`);
    console.log(`folder: ${r.dir} (manifest.json)`);
  },
};
