import type { Command } from '../command.ts';
import { numberFlag } from '../args.ts';
import { fetchModel, type FetchProgress } from '../../index.ts';

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** A byte progress bar on stderr: redrawn in place on a TTY, a line per file (and every ~10 s) elsewhere. */
function progressBar(quiet: boolean): (p: FetchProgress) => void {
  const tty = Boolean(process.stderr.isTTY) && process.env.CI !== 'true';
  const t0 = performance.now();
  let lastLine = 0, lastFile = '';
  return (p) => {
    if (quiet) return;
    const now = performance.now();
    const fileDone = p.fileBytes >= p.fileSize;
    if (!tty && !(fileDone && p.file !== lastFile) && now - lastLine < 10_000) return;
    if (fileDone) lastFile = p.file;
    lastLine = now;
    const frac = p.totalBytes > 0 ? p.doneBytes / p.totalBytes : 1;
    const width = 24, filled = Math.round(width * frac);
    const rate = p.doneBytes / Math.max((now - t0) / 1000, 1e-3);
    const line = `${tty ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : ''}${mb(p.doneBytes)}/${mb(p.totalBytes)}  ${p.file} ${mb(p.fileBytes)}/${mb(p.fileSize)}  ${mb(rate)}/s`;
    process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
  };
}

export const modelFetchCommand: Command = {
  name: 'model fetch',
  summary: 'download a model (config, safetensors, tokenizer) from the Hugging Face hub into its cache or a folder, resumable and sha256-checked',
  usage: 'ledgerlab model fetch ORG/NAME [--revision R] [--dir DIR] [--json]',
  help: [
    'Files: config.json, generation_config.json, the top-level *.safetensors (only the shards',
    'model.safetensors.index.json names), the index, and the tokenizer files (tokenizer.json, tokenizer_config.json, ...).',
    '  --revision R  branch, tag or commit (default main)',
    '  --dir DIR     write the files into DIR instead of the Hugging Face cache',
    '                (HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub: models--ORG--NAME/{blobs,snapshots,refs})',
    '  --attempts N  transfers per file when one breaks off or ends early, each resuming with an HTTP Range request (default 5)',
    '  --json        print {repo, revision, commit, dir, files: [{name, size, etag, checked, downloaded, resumedFrom, retries}]}',
    'HF_ENDPOINT selects a mirror; HF_TOKEN is sent to the hub (never to the CDN it redirects to) for private or gated models.',
    'Every file is checked against the hub\'s hash before it is put in place: sha256 for LFS files, git sha1 otherwise.',
  ].join('\n'),
  positionals: [1, 1],
  options: { revision: { type: 'string' }, dir: { type: 'string' }, json: { type: 'boolean' }, attempts: { type: 'string' } },
  async run(args) {
    const r = await fetchModel(args.positionals[0], {
      revision: args.values.revision as string | undefined, dir: args.values.dir as string | undefined,
      attempts: numberFlag(args, 'attempts', 5, { int: true, min: 1 }),
      onProgress: progressBar(process.env.LEDGERLAB_QUIET === '1'),
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    if (args.values.json) { console.log(JSON.stringify(r)); return; }
    console.log(`${r.repo}@${r.revision} = commit ${r.commit}`);
    for (const f of r.files) {
      const how = f.downloaded ? (f.resumedFrom > 0 || f.retries > 0 ? `downloaded (resumed at ${f.resumedFrom} bytes, ${f.retries} retries)` : 'downloaded') : 'already present';
      console.log(`  ${f.name.padEnd(36)} ${mb(f.size).padStart(10)}  ${f.checked} ok  ${how}`);
    }
    console.log(`model directory: ${r.dir}`);
  },
};
