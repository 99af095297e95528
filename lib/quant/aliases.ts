/**
 * LLaMA-Factory's quantization options → LedgerLab's storage dtype for the frozen base:
 * `quantization_bit: 4` with `quantization_type` (nf4, its default, or fp4) and `double_quantization` (default
 * true there) → `quant: nf4-dq | nf4 | fp4`; `quantization_bit: 8` → `int8`.
 */
import type { AliasRule } from '../config/index.ts';

export const QUANT_ALIASES: readonly AliasRule[] = [
  {
    from: ['quantization_bit', 'quantization_type', 'double_quantization'], to: ['quant'], source: 'LLaMA-Factory',
    map: (a) => {
      const bits = a.quantization_bit;
      const type = a.quantization_type ?? 'nf4';
      const dq = a.double_quantization ?? true;
      if (bits === undefined) return { problem: 'quantization_type and double_quantization need quantization_bit (4 or 8)' };
      if (typeof dq !== 'boolean') return { problem: `double_quantization must be true or false, got ${JSON.stringify(dq)}` };
      if (bits === 8) return { quant: 'int8' };
      if (bits !== 4) return { problem: `quantization_bit must be 4 or 8, got ${JSON.stringify(bits)}` };
      if (type === 'nf4') return { quant: dq ? 'nf4-dq' : 'nf4' };
      if (type === 'fp4') {
        return a.double_quantization === true ? { problem: 'double quantization is implemented for nf4 only; drop double_quantization or use nf4' } : { quant: 'fp4' };
      }
      return { problem: `quantization_type must be nf4 or fp4, got ${JSON.stringify(type)}` };
    },
  },
];
