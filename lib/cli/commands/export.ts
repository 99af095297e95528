import type { Command } from '../command.ts';
import { exportRun, findRuns, initBackend, paths, LedgerLabError, EXPORT_FORMATS, type ExportFormat } from '../../index.ts';

export const exportCommand: Command = {
  name: 'export',
  summary: 'export a finetune run as a PEFT adapter, a merged Hugging Face checkpoint or the ONNX generation model',
  usage: 'ledgerlab export RUN --format peft|merged|onnx --out DIR [--root DIR] [--json]',
  help: [
    'RUN: a run id (or unique prefix) under --root (default results/), or a run folder.',
    '  --format peft     adapter_config.json + adapter_model.safetensors in PEFT\'s names and layouts',
    '                    (LORA, PREFIX_TUNING, P_TUNING, PROMPT_TUNING); loads with PeftModel.from_pretrained,',
    '                    an experiment\'s model {"from": "hf", "path": BASE, "adapter": DIR} or generate --adapter',
    '  --format merged   config.json + model.safetensors (F32, LoRA merged) + the base\'s tokenizer files',
    '  --format onnx     model.onnx (the ONNX Runtime graph generation uses) + the tokenizer files',
    'DIR must not exist; the export is written beside it and renamed into place when complete.',
  ].join('\n'),
  positionals: [1, 1],
  options: { format: { type: 'string' }, out: { type: 'string' }, root: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const ref = args.positionals[0];
    if (!ref || args.positionals.length > 1) throw new LedgerLabError({ kind: 'usage', problem: 'give exactly one RUN (a run id or folder)', where: 'ledgerlab export' });
    const format = args.values.format as string | undefined;
    if (!format || !(EXPORT_FORMATS as readonly string[]).includes(format)) {
      throw new LedgerLabError({ kind: 'usage', problem: `--format must be one of ${EXPORT_FORMATS.join(', ')}${format ? `, got "${format}"` : ''}`, where: '--format' });
    }
    const out = args.values.out as string | undefined;
    if (!out) throw new LedgerLabError({ kind: 'usage', problem: '--out DIR is required', where: 'ledgerlab export' });
    const runs = findRuns([ref], (args.values.root as string) ?? paths.results);
    if (runs.length !== 1) throw new LedgerLabError({ kind: 'usage', problem: `"${ref}" matches ${runs.length} runs`, where: 'RUN', hint: 'give a longer run id' });
    await initBackend();
    const files = await exportRun(runs[0].dir, format as ExportFormat, out);
    if (args.values.json) console.log(JSON.stringify({ run: runs[0].record.runId, format, out, files }));
    else console.log(`${format} export of ${runs[0].record.runId} → ${out}: ${files.join(', ')}`);
  },
};
