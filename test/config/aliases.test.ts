// Other tools' option names (PEFT, LLaMA-Factory, Hugging Face Trainer) validate to LedgerLab's canonical config;
// YAML experiment files; the JSON Schema editors use, checked with ajv against every shipped experiment file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { MethodSchema, TrainSchema, FinetuneSchema, planExperiment, experimentKinds, parseYamlText, LedgerLabError, targetsFromModules } from '../../lib/index.ts';
import { ledgerlab, repoRoot } from '../helpers/cli.ts';

const problem = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    assert.instance(err, LedgerLabError);
    return (err as LedgerLabError).message;
  }
  throw new Error('expected an error');
};

test('PEFT LoRA names → canonical, with module names mapped to targets', () => {
  assert.equal(MethodSchema.parse({ peft_type: 'LORA', r: 16, lora_alpha: 32, lora_dropout: 0.05, target_modules: ['q_proj', 'v_proj'], use_rslora: true }),
    { method: 'lora', r: 16, alpha: 32, dropout: 0.05, targets: ['q', 'v'], rslora: true });
  assert.equal((MethodSchema.parse({ finetuning_type: 'lora', lora_rank: 8, lora_target: 'c_attn' }) as { targets: string[] }).targets, ['q', 'k', 'v'], "GPT-2's fused c_attn");
  assert.equal((MethodSchema.parse({ method: 'lora', lora_target: 'query_key_value,dense' }) as { targets: string[] }).targets, ['q', 'k', 'v', 'o'], "ChatGLM's names");
  assert.equal(targetsFromModules('all'), ['q', 'k', 'v', 'o', 'fc', 'proj', 'gate', 'up', 'down']);
});

test('prefix and prompt methods: num_virtual_tokens / pre_seq_len / prefix_projection', () => {
  assert.equal(MethodSchema.parse({ peft_type: 'PREFIX_TUNING', num_virtual_tokens: 128, prefix_projection: true, encoder_hidden_size: 64 }),
    { method: 'ptuning-v2', prefixLength: 128, projection: true, projectionHidden: 64, prefixDropout: 0 });
  assert.is((MethodSchema.parse({ method: 'ptuning-v2', pre_seq_len: 24 }) as { prefixLength: number }).prefixLength, 24);
  assert.equal(MethodSchema.parse({ peft_type: 'P_TUNING', num_virtual_tokens: 10, encoder_reparameterization_type: 'LSTM' }),
    { method: 'ptuning-v1', promptLength: 10, encoder: 'lstm', encoderHidden: 128 });
  assert.equal(MethodSchema.parse({ peft_type: 'PROMPT_TUNING', num_virtual_tokens: 5 }), { method: 'prompt-tuning', promptLength: 5 });
});

test('alias errors are located at the key the user wrote', () => {
  assert.match(problem(() => MethodSchema.parse({ method: 'lora', lora_alpha: 32, alpha: 16 }, 'exp.yaml')),
    '- lora_alpha: "lora_alpha" (PEFT\'s name) and "alpha" set the same option; give one of them');
  assert.match(problem(() => MethodSchema.parse({ method: 'lora', lora_alpha: 'big' })), '- lora_alpha: expected number ≥ 0, got string "big"');
  assert.match(problem(() => MethodSchema.parse({ method: 'lora', target_modules: 'q_proj,wq' })), '- target_modules: unknown module "wq"; known: q_proj');
  assert.match(problem(() => MethodSchema.parse({ peft_type: 'IA3' })), '- peft_type: expected one of LORA | PREFIX_TUNING | P_TUNING | PROMPT_TUNING, got string "IA3"');
  assert.match(problem(() => MethodSchema.parse({ method: 'lora', lora_alpah: 1 })), 'unknown key (did you mean "lora_alpha"?)');
});

test('Trainer / LLaMA-Factory training names → TrainSchema; cutoff_len splits the budget in the given ratio', () => {
  const t = TrainSchema.parse({ max_steps: 100, per_device_train_batch_size: 4, gradient_accumulation_steps: 8, learning_rate: 5e-5, weight_decay: 0.01,
    warmup_steps: 10, lr_scheduler_type: 'constant_with_warmup', max_grad_norm: 0.5, adam_beta1: 0.8, adam_epsilon: 1e-6, logging_steps: 5,
    save_steps: 50, eval_steps: 25, gradient_checkpointing: true, group_by_length: true, cutoff_len: 1024 });
  assert.equal([t.steps, t.batchSize, t.gradAccum, t.lr, t.weightDecay, t.warmupSteps, t.schedule, t.clipNorm, t.betas, t.eps, t.logEvery, t.checkpointEvery, t.evalEvery, t.checkpoint, t.groupByLength],
    [100, 4, 8, 5e-5, 0.01, 10, 'constant', 0.5, [0.8, 0.999], 1e-6, 5, 50, 25, true, true]);
  assert.equal([t.maxSource, t.maxTarget], [512, 512]);
  const r = TrainSchema.parse({ steps: 1, maxSource: 64, maxTarget: 128, cutoff_len: 1024 });
  assert.equal([r.maxSource, r.maxTarget], [341, 683]);
  assert.match(problem(() => TrainSchema.parse({ steps: 1, lr_scheduler_type: 'polynomial' })), 'lr_scheduler_type: expected one of cosine | linear | constant | constant_with_warmup');
});

test('quantization_bit + double_quantization (+ quantization_type) → the base dtype', () => {
  const quant = (q: Record<string, unknown>) => (FinetuneSchema.parse(q) as { quant: string }).quant;
  assert.is(quant({ quantization_bit: 4 }), 'nf4-dq', "LLaMA-Factory's defaults: nf4 with double quantization");
  assert.is(quant({ quantization_bit: 4, double_quantization: false }), 'nf4');
  assert.is(quant({ quantization_bit: 4, quantization_type: 'fp4', double_quantization: false }), 'fp4');
  assert.is(quant({ quantization_bit: 8 }), 'int8');
  assert.match(problem(() => quant({ quantization_bit: 3 })), 'quantization_bit must be 4 or 8, got 3');
  assert.match(problem(() => quant({ double_quantization: true })), 'need quantization_bit');
  assert.match(problem(() => quant({ quantization_bit: 4, quant: 'fp16' })), 'set the same option');
});

test('YAML experiment files: same canonical config (so the same run id) as the JSON they mirror; located syntax errors', () => {
  const yamlPlan = planExperiment(join(repoRoot, 'test/fixtures/finetune-tiny-aliases.yaml'));
  const jsonPlan = planExperiment(join(repoRoot, 'test/fixtures/finetune-tiny.json'));
  assert.equal(yamlPlan.runs.map((r) => r.runId), jsonPlan.runs.map((r) => r.runId));
  assert.equal(yamlPlan.runs[0].config, jsonPlan.runs[0].config);
  assert.match(problem(() => parseYamlText('kind: finetune\nconfig:\n  train: [1, 2\n', 'bad.yaml')), /at bad\.yaml:\d+:\d+/);
  assert.match(problem(() => parseYamlText('a: 1\na: 2\n', 'dup.yaml')), /invalid YAML: .*(unique|Map keys)/i);
  const dir = mkdtempSync(join(tmpdir(), 'll-yaml-'));
  writeFileSync(join(dir, 'e.yml'), 'kind: finetune\nname: e\nconfig:\n  train: { stepz: 3 }\n');
  assert.match(problem(() => planExperiment(join(dir, 'e.yml'))), 'config.train.stepz: unknown key (did you mean "steps"?)');
});

test('`ledgerlab schema KIND`: every shipped experiment file validates against its kind\'s schema; typos do not', () => {
  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  const kinds = new Map<string, ReturnType<typeof ajv.compile>>();
  for (const k of experimentKinds()) {
    const r = ledgerlab(['schema', k.kind]);
    assert.is(r.code, 0, r.stderr);
    kinds.set(k.kind, ajv.compile(JSON.parse(r.stdout)));
  }
  const files = readdirSync(join(repoRoot, 'experiments')).filter((f) => f.endsWith('.json'));
  let checked = 0;
  for (const f of files) {
    const doc = JSON.parse(readFileSync(join(repoRoot, 'experiments', f), 'utf8'));
    const validate = kinds.get(doc.kind);
    if (!validate) continue; // simulation files are not experiment kinds (yet)
    assert.ok(validate(doc), `${f}: ${ajv.errorsText(validate.errors)}`);
    checked++;
  }
  assert.ok(checked >= 5, `checked ${checked} files`);
  const finetune = kinds.get('finetune')!;
  assert.ok(finetune(parseYamlText(readFileSync(join(repoRoot, 'test/fixtures/finetune-tiny-aliases.yaml'), 'utf8'), 'x.yaml')), 'aliases are part of the schema');
  assert.not.ok(finetune({ kind: 'finetune', name: 'x', config: { train: { stepz: 1 } } }));
  assert.not.ok(finetune({ kind: 'finetune', name: 'x', config: { method: { method: 'lora', r: 0 } } }));
  const cfg = JSON.parse(ledgerlab(['schema', 'finetune', '--config-only']).stdout);
  assert.equal(cfg.properties.train.properties.lr.default, 0.001);
  assert.is(cfg.properties.train.properties.learning_rate.description, "Hugging Face Trainer's name for lr; stored as lr");
  const bad = ledgerlab(['schema', 'finetun']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, 'unknown experiment kind "finetun" (did you mean "finetune"?)');
});

test('a YAML file with other tools\' names trains through `ledgerlab run`; run.json keeps the canonical form', () => {
  const root = mkdtempSync(join(tmpdir(), 'll-yaml-run-'));
  const r = ledgerlab(['run', join(repoRoot, 'test/fixtures/finetune-tiny-aliases.yaml')], { env: { LEDGERLAB_RESULTS: root } });
  assert.is(r.code, 0, r.stderr);
  const [runId] = readdirSync(root).filter((d) => d.startsWith('finetune-tiny'));
  const rec = JSON.parse(readFileSync(join(root, runId, 'run.json'), 'utf8'));
  assert.is(rec.status, 'finished');
  assert.equal(rec.config.method, { method: 'lora', r: 4, alpha: 16, dropout: 0, targets: ['q', 'v'], rslora: false });
  assert.is(rec.config.train.steps, 6);
  assert.is(rec.config.train.lr, 0.005);
  assert.not.ok('learning_rate' in rec.config.train);
  assert.is(rec.summary.steps, 6);
});

test.run();
