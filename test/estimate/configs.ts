/** Hugging Face config.json contents of real models (the keys that matter for counting), for the estimate tests. */
export const LLAMA_32_3B = {
  model_type: 'llama', hidden_size: 3072, intermediate_size: 8192, num_hidden_layers: 28, num_attention_heads: 24, num_key_value_heads: 8,
  head_dim: 128, vocab_size: 128256, tie_word_embeddings: true, max_position_embeddings: 131072, rope_scaling: { rope_type: 'llama3', factor: 32 },
};
export const LLAMA_32_3B_UNTIED = { ...LLAMA_32_3B, tie_word_embeddings: false };
export const LLAMA_2_7B = { model_type: 'llama', hidden_size: 4096, intermediate_size: 11008, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 32, vocab_size: 32000 };
export const LLAMA_3_70B = { model_type: 'llama', hidden_size: 8192, intermediate_size: 28672, num_hidden_layers: 80, num_attention_heads: 64, num_key_value_heads: 8, vocab_size: 128256, tie_word_embeddings: false };
export const QWEN25_3B = { model_type: 'qwen2', hidden_size: 2048, intermediate_size: 11008, num_hidden_layers: 36, num_attention_heads: 16, num_key_value_heads: 2, vocab_size: 151936, tie_word_embeddings: true };
export const QWEN25_05B = { model_type: 'qwen2', hidden_size: 896, intermediate_size: 4864, num_hidden_layers: 24, num_attention_heads: 14, num_key_value_heads: 2, vocab_size: 151936, tie_word_embeddings: true };
export const MISTRAL_7B = { model_type: 'mistral', hidden_size: 4096, intermediate_size: 14336, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, vocab_size: 32000, sliding_window: 4096 };
export const GPT2 = { model_type: 'gpt2', n_embd: 768, n_layer: 12, n_head: 12, n_positions: 1024, vocab_size: 50257 };
export const CHATGLM2_6B = {
  model_type: 'chatglm', num_layers: 28, hidden_size: 4096, ffn_hidden_size: 13696, kv_channels: 128, num_attention_heads: 32,
  multi_query_attention: true, multi_query_group_num: 2, padded_vocab_size: 65024, add_bias_linear: false, add_qkv_bias: true, rmsnorm: true, post_layer_norm: true,
};
