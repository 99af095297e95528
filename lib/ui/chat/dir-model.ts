/**
 * A Hugging Face checkpoint directory (optionally with a PEFT adapter) as a chat model: `dir:<path>` or
 * `dir:<path>+<adapter path>`. Generation runs on ONNX Runtime straight from the directory when the model is
 * large (weights outside the wasm heap, as `ledgerlab generate --engine auto` does), on tfjs otherwise and
 * whenever an adapter is loaded. The prompt is encoded with the directory's tokenizer.json as given (no chat
 * template) and generation stops at its EOS.
 *
 * Why an allow-list: the page's POST body names the directory, so the server reads only checkpoints under the
 * folders named in LEDGERLAB_MODEL_DIRS (path-separated), never an arbitrary path a request asks for.
 */
import { existsSync, realpathSync } from 'node:fs';
import { delimiter, join, sep } from 'node:path';
import { LedgerLabError } from '../../errors.ts';
import { loadPretrained } from '../../model/index.ts';
import { loadPeftAdapter } from '../../peft/index.ts';
import { openModel, openCheckpointDecoder, checkpointFp32Bytes, ORT_AUTO_BYTES, TfjsDecoder, streamTokens, type CachedDecoder, type TextCodec } from '../../infer/index.ts';
import { oneAtATime, textDeltas, type ChatModel, type ChatSource } from './source.ts';

function allowedRoots(): string[] {
  return (process.env.LEDGERLAB_MODEL_DIRS ?? '').split(delimiter).filter(Boolean).filter((d) => existsSync(d)).map((d) => realpathSync(d));
}

/** The real path of `path` if it lies under an allowed root; else a usage error saying how to allow it. */
function allowed(path: string, what: string): string {
  const real = existsSync(path) ? realpathSync(path) : undefined;
  if (real && allowedRoots().some((r) => real === r || real.startsWith(r + sep))) return real;
  throw new LedgerLabError({ kind: 'usage', code: 'usage.model_dir_not_allowed', problem: `${what} ${path} is not under a folder listed in LEDGERLAB_MODEL_DIRS`, where: 'model', hint: 'start the workbench with LEDGERLAB_MODEL_DIRS=/path/to/models (separate several with the path delimiter)' });
}

async function openDecoder(dir: string, adapter: string | undefined): Promise<{ decoder: CachedDecoder; tokenizer?: TextCodec; eos?: number; dispose(): Promise<void> }> {
  if (!adapter && checkpointFp32Bytes(dir) > ORT_AUTO_BYTES) {
    const c = await openCheckpointDecoder(dir);
    return { decoder: c.decoder, tokenizer: c.tokenizer, eos: c.eos, dispose: () => c.decoder.dispose() };
  }
  const opened = openModel(dir);
  if (adapter) await loadPeftAdapter(opened.model, adapter, loadPretrained(dir).modelType);
  const decoder = new TfjsDecoder(opened.model);
  return { decoder, tokenizer: opened.tokenizer, eos: opened.eos, dispose: async () => { decoder.dispose(); opened.model.dispose(); } };
}

export async function loadDirModel(id: string): Promise<ChatModel> {
  const [dirPart, adapterPart] = id.split('+');
  const dir = allowed(dirPart!, 'model directory');
  const adapter = adapterPart ? allowed(adapterPart, 'adapter directory') : undefined;
  const d = await openDecoder(dir, adapter);
  const tok = d.tokenizer;
  if (!tok) {
    await d.dispose();
    throw new LedgerLabError({ kind: 'usage', problem: `${dir} has no tokenizer.json, so a chat prompt cannot be encoded`, where: 'model' });
  }
  return {
    stream: oneAtATime((prompt, o) => textDeltas(
      streamTokens(d.decoder, tok.encode(prompt), { maxNew: o.maxNew, eos: d.eos, temperature: o.temperature, topP: o.topP, seed: o.seed ?? 0 }),
      (ids) => tok.decode(ids),
    )),
    dispose: () => d.dispose(),
  };
}

export const dirChatSource: ChatSource = {
  name: 'dir',
  list: () => allowedRoots().filter((r) => existsSync(join(r, 'config.json'))).map((r) => ({ ref: `dir:${r}`, label: `${r} (checkpoint)`, source: 'dir' })),
  load: (_root, id) => loadDirModel(id),
};
