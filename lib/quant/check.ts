/**
 * Argument checks shared by the quantizers, so every bad input fails the same way: a LedgerLabError that
 * names the function, the argument and the offending index.
 */
import { LedgerLabError } from '../errors.ts';

export function usage(where: string, problem: string, hint?: string): LedgerLabError {
  return new LedgerLabError({ kind: 'usage', problem, where, hint });
}

/** Number of elements of a shape; throws on negative or fractional dimensions. */
export function shapeSize(shape: readonly number[], where: string): number {
  let n = 1;
  shape.forEach((d, i) => {
    if (!Number.isInteger(d) || d < 0) throw usage(where, `shape[${i}] is ${d}; dimensions must be integers ≥ 0`);
    n *= d;
  });
  return n;
}

/**
 * Returns `values` as float32 (every quantizer works on float32, as bitsandbytes does) after checking that
 * its length matches the shape and that every value is finite: NaN/Inf would poison a whole block's absmax.
 */
export function toFloat32(values: ArrayLike<number>, shape: readonly number[] | undefined, where: string): {
  x: Float32Array; shape: number[]; n: number;
} {
  const n = values.length;
  const s = shape ? [...shape] : [n];
  const expected = shapeSize(s, where);
  if (expected !== n) {
    throw usage(where, `shape [${s.join(', ')}] holds ${expected} values but ${n} were given`);
  }
  const x = values instanceof Float32Array ? values : Float32Array.from(values);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i])) {
      throw usage(where, `value [${i}] is ${x[i]}; only finite values can be quantized`,
        'clean or clip the tensor first (a NaN or Inf would spoil its whole block)');
    }
  }
  return { x, shape: s, n };
}

export function checkBlockSize(blockSize: number, where: string, name = 'blockSize', even = true): void {
  if (!Number.isInteger(blockSize) || blockSize < 1 || (even && blockSize % 2 !== 0)) {
    throw usage(where, `${name} is ${blockSize}; it must be a positive${even ? ' even' : ''} integer`,
      even ? 'an even block keeps each block on whole bytes of two 4-bit codes (bitsandbytes uses 64)' : undefined);
  }
}
