// Trainable parameters as PEFT's print_trainable_parameters() counts them, checked against hand-computed
// counts for each method × family and against counts PEFT itself prints in its documentation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { archFromConfig, baseParams, countParams, moduleTree, pTuningParams, prefixParams, resolveMethod, peftLine, type ModelArch } from '../../lib/estimate/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { CHATGLM2_6B, GPT2, LLAMA_2_7B, LLAMA_32_3B, LLAMA_32_3B_UNTIED, MISTRAL_7B, QWEN25_05B, QWEN25_3B } from './configs.ts';

const count = (config: unknown, method: string, options: Record<string, unknown> = {}) => {
  const arch = archFromConfig(config);
  return countParams(arch, moduleTree(arch), resolveMethod(method, options));
};

test('base parameters of real models equal their published sizes', () => {
  const base = (c: unknown) => baseParams(moduleTree(archFromConfig(c)));
  assert.is(base(LLAMA_32_3B), 3_212_749_824); // Llama-3.2-3B, tied
  assert.is(base(LLAMA_32_3B_UNTIED), 3_212_749_824 + 128256 * 3072);
  assert.is(base(LLAMA_2_7B), 6_738_415_616);
  assert.is(base(QWEN25_05B), 494_032_768);
  assert.is(base(QWEN25_3B), 3_085_938_688);
  assert.is(base(MISTRAL_7B), 7_241_732_096);
  assert.is(base(GPT2), 124_439_808);
  assert.is(base(CHATGLM2_6B), 6_243_584_000);
});

test('published print_trainable_parameters lines (PEFT README, LLaMA-Factory/ChatGLM logs) are reproduced', () => {
  // PEFT README: Qwen2.5-3B-Instruct, LoraConfig(r=16, lora_alpha=32), default targets q_proj, v_proj
  assert.is(peftLine(count(QWEN25_3B, 'lora', { r: 16, lora_alpha: 32 })), 'trainable params: 3,686,400 || all params: 3,089,625,088 || trainable%: 0.1193');
  assert.is(peftLine(count(LLAMA_2_7B, 'lora', { r: 8 })), 'trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622');
  assert.is(peftLine(count(MISTRAL_7B, 'lora', { r: 16 })), 'trainable params: 6,815,744 || all params: 7,248,547,840 || trainable%: 0.0940');
  assert.is(peftLine(count(GPT2, 'lora', { r: 8 })), 'trainable params: 294,912 || all params: 124,734,720 || trainable%: 0.2364');
  assert.is(peftLine(count(CHATGLM2_6B, 'lora', { r: 8 })), 'trainable params: 1,949,696 || all params: 6,245,533,696 || trainable%: 0.0312');
  // ChatGLM2's own P-Tuning v2 at pre_seq_len 128 (its ptuning/main.py reports this prefix encoder)
  assert.is(count(CHATGLM2_6B, 'ptuning-v2', { pre_seq_len: 128 }).trainable, 1_835_008);
});

test('PEFT documentation counts of the prompt-learning encoders (bloomz-560m: token_dim 1024, 24 layers)', () => {
  const bloom = { hidden: 1024, layers: 24, heads: 16, kvHeads: 16, declaresKvHeads: false, family: 'llama' } as ModelArch;
  // docs/source/package_reference/p_tuning.md: PromptEncoderConfig(num_virtual_tokens=20, encoder_hidden_size=128) → 300,288
  assert.is(pTuningParams(1024, resolveMethod('p_tuning', { num_virtual_tokens: 20, encoder_hidden_size: 128 }) as never), 300_288);
  // prefix_tuning.md: num_virtual_tokens=20 → 983,040; prompt_tuning.md: 8 virtual tokens → 8,192
  assert.is(prefixParams(bloom, resolveMethod('prefix_tuning', { num_virtual_tokens: 20 }) as never), 983_040);
  assert.is(countParams({ ...bloom, vocab: 1, ffn: 1, headDim: 64, positions: 0, tiedHead: true, qkvBias: false, oBias: false, mlpBias: false }, { modules: [] }, resolveMethod('prompt_tuning', { num_virtual_tokens: 8 })).trainable, 8_192);
});

test('Llama-3.2-3B (GQA 24/8, head_dim 128): every method by hand, tied and untied', () => {
  for (const cfg of [LLAMA_32_3B, LLAMA_32_3B_UNTIED]) {
    // q: 8·(3072+3072), v: 8·(3072+1024) per layer × 28
    assert.is(count(cfg, 'lora').trainable, 28 * (8 * 6144 + 8 * 4096));
    // all-linear r 16: q, o 16·6144; k, v 16·4096; gate, up, down 16·(3072+8192); the head excluded, tied or not
    assert.is(count(cfg, 'lora', { r: 16, target_modules: 'all-linear' }).trainable, 24_313_856);
    // use_rslora changes the scale only; DoRA adds a magnitude of out_features per adapted module
    assert.is(count(cfg, 'lora', { use_rslora: 'true' }).trainable, 2_293_760);
    assert.is(count(cfg, 'lora', { use_dora: true }).trainable, 2_293_760 + 28 * (3072 + 1024));
    // prefix: token_dim = 128 · 8 kv heads = 1024 → P · 28 · 2 · 1024
    assert.is(count(cfg, 'prefix_tuning', { num_virtual_tokens: 20 }).trainable, 1_146_880);
    assert.is(count(cfg, 'prefix_tuning', { num_virtual_tokens: 20, prefix_projection: 'true' }).trainable, 20 * 1024 + (1024 * 1024 + 1024) + (1024 * 57344 + 57344));
    assert.is(count(cfg, 'prompt_tuning', { num_virtual_tokens: 20 }).trainable, 61_440);
    // p_tuning MLP, encoder_hidden_size defaults to token_dim 3072 (no GQA narrowing for p_tuning)
    assert.is(count(cfg, 'p_tuning', { num_virtual_tokens: 20 }).trainable, 61_440 + 3 * 3072 * 3072 + 3 * 3072);
    // LSTM, 2 layers (PEFT's default), h 128, bidirectional with both bias vectors, then the 2h→2h→d MLP head
    const lstm = 2 * (4 * 128 * 3072 + 4 * 128 * 128 + 8 * 128) + 2 * (4 * 128 * 256 + 4 * 128 * 128 + 8 * 128);
    assert.is(count(cfg, 'p_tuning', { num_virtual_tokens: 20, encoder_reparameterization_type: 'lstm', encoder_hidden_size: 128 }).trainable, 61_440 + lstm + (256 * 256 + 256) + (256 * 3072 + 3072));
    assert.is(count(cfg, 'full').trainable, baseParams(moduleTree(archFromConfig(cfg))));
  }
  assert.is(count(LLAMA_32_3B, 'lora').all, 3_212_749_824 + 2_293_760);
});

test('qwen2 biases: bias=lora_only trains the adapted modules\' biases, bias=all every bias', () => {
  const lora = 24 * (8 * (896 + 896) + 8 * (896 + 128));
  assert.is(count(QWEN25_05B, 'lora', { r: 8 }).trainable, lora);
  assert.is(count(QWEN25_05B, 'lora', { r: 8, bias: 'lora_only' }).trainable, lora + 24 * (896 + 128));
  assert.is(count(QWEN25_05B, 'lora', { r: 8, bias: 'all' }).trainable, lora + 24 * (896 + 128 + 128));
  assert.is(count(QWEN25_05B, 'lora', { r: 8, bias: 'all' }).all, 494_032_768 + lora);
  // prefix on Qwen2 (14 heads of 64, 2 kv): token_dim 128
  assert.is(count(QWEN25_05B, 'prefix_tuning', { num_virtual_tokens: 16 }).trainable, 16 * 24 * 2 * 128);
});

test('mistral: GQA prefix and all-linear', () => {
  assert.is(count(MISTRAL_7B, 'prefix_tuning', { num_virtual_tokens: 30 }).trainable, 30 * 32 * 2 * 1024);
  assert.is(count(MISTRAL_7B, 'lora', { r: 8, target_modules: 'all-linear' }).trainable, 32 * 8 * (2 * 8192 + 2 * 5120 + 3 * (4096 + 14336)));
});

test('gpt2: Conv1D c_attn is A [r, d] + B [3d, r]; all-linear, biases and prompt methods', () => {
  assert.is(count(GPT2, 'lora', { r: 8, target_modules: 'c_attn' }).trainable, 12 * 8 * (768 + 2304));
  // c_proj matches both attn.c_proj and mlp.c_proj (suffix match)
  assert.is(count(GPT2, 'lora', { r: 8, target_modules: 'c_proj' }).trainable, 12 * 8 * ((768 + 768) + (3072 + 768)));
  assert.is(count(GPT2, 'lora', { r: 8, target_modules: 'all-linear' }).trainable, 12 * 8 * ((768 + 2304) + (768 + 768) + (768 + 3072) + (3072 + 768)));
  // bias all: c_attn 2304 + c_proj 768 + c_fc 3072 + c_proj 768 + ln_1 768 + ln_2 768 per block, + ln_f 768
  assert.is(count(GPT2, 'lora', { bias: 'all' }).trainable, 294_912 + 12 * 8448 + 768);
  assert.is(count(GPT2, 'lora', { bias: 'lora_only' }).trainable, 294_912 + 12 * 2304);
  assert.is(count(GPT2, 'prefix_tuning', { num_virtual_tokens: 20 }).trainable, 20 * 12 * 2 * 768);
  assert.is(count(GPT2, 'prompt_tuning', { num_virtual_tokens: 20 }).trainable, 20 * 768);
  assert.is(count(GPT2, 'ptuning-v1', { num_virtual_tokens: 20, encoder_hidden_size: 128 }).trainable, 20 * 768 + (768 * 128 + 128) + (128 * 128 + 128) + (128 * 768 + 768));
  // LedgerLab's ptuning-v2 is PEFT's prefix tuning outside ChatGLM
  assert.is(count(GPT2, 'ptuning-v2', { num_virtual_tokens: 20 }).trainable, 368_640);
});

test('chatglm2: fused query_key_value, MQA prefix (own encoder) vs PEFT prefix tuning, all-linear keeps output_layer', () => {
  assert.is(count(CHATGLM2_6B, 'lora', { lora_rank: 32 }).trainable, 28 * 32 * (4096 + 4608));
  assert.is(count(CHATGLM2_6B, 'ptuning-v2', { pre_seq_len: 128, prefix_projection: true }).trainable, 128 * 14336 + (14336 * 4096 + 4096) + (4096 * 14336 + 14336));
  // PEFT reads num_key_value_heads only; ChatGLM names it multi_query_group_num, so PEFT's prefix is layers·2·4096 wide
  assert.is(count(CHATGLM2_6B, 'prefix_tuning', { num_virtual_tokens: 128 }).trainable, 128 * 28 * 2 * 4096);
  const perLayer = 8 * ((4096 + 4608) + (4096 + 4096) + (4096 + 27392) + (13696 + 4096));
  assert.is(count(CHATGLM2_6B, 'lora', { target_modules: 'all-linear' }).trainable, 28 * perLayer + 8 * (4096 + 65024));
  assert.is(count(CHATGLM2_6B, 'lora', { lora_target: 'query_key_value,dense' }).trainable, 28 * 8 * ((4096 + 4608) + 8192));
});

test('unknown options, bad values, unmatched targets and a missing num_virtual_tokens are located errors', () => {
  const err = (f: () => unknown) => {
    try { f(); } catch (e) { assert.instance(e, LedgerLabError); return e as LedgerLabError; }
    assert.unreachable('expected an error');
  };
  const e1 = err(() => resolveMethod('lora', { r: 'x', foo: 1, bias: 'some' }))!;
  assert.equal(e1.issues.map((i) => i.path[0]).sort(), ['bias', 'foo', 'r']);
  assert.is(e1.code, 'usage.bad_option');
  assert.equal(err(() => resolveMethod('prefix_tuning', {}))!.issues[0].path, ['num_virtual_tokens']);
  assert.is(err(() => resolveMethod('adapter'))!.code, 'usage.unknown_method');
  assert.match(err(() => count(LLAMA_2_7B, 'lora', { target_modules: 'c_attn' }))!.problem, '"c_attn" matches no module');
  const bad = err(() => archFromConfig({ model_type: 'llama', hidden_size: 'big' }))!;
  assert.ok(bad.issues.some((i) => i.path[0] === 'hidden_size'), JSON.stringify(bad.issues));
  assert.match(err(() => archFromConfig({ model_type: 't5' }))!.problem, 'unsupported model_type');
});

test.run();
