/**
 * Reads safetensors tensors one at a time from disk (header parsed once, each tensor read at its offset),
 * so a loader can convert a checkpoint tensor by tensor — into a quantized base, for instance — without
 * ever holding the whole file in memory.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { LedgerLabError } from '../../errors.ts';
import { parseSafetensorsHeader, type SafetensorsEntry } from '../safetensors.ts';
import { floatValues } from '../gpt2-names.ts';

export class SafetensorsReader {
  readonly path: string;
  readonly entries = new Map<string, SafetensorsEntry>();
  private readonly dataStart: number;

  constructor(path: string) {
    this.path = path;
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      throw new LedgerLabError({ kind: 'io', problem: `cannot open ${path}: ${(e as Error).message}`, where: path, cause: e });
    }
    try {
      const size = fstatSync(fd).size;
      const lenBytes = Buffer.alloc(8);
      readSync(fd, lenBytes, 0, 8, 0);
      const n = Number(lenBytes.readBigUInt64LE(0));
      // A bogus length is reported by parseSafetensorsHeader; read no more than the file holds.
      const head = Buffer.alloc(8 + Math.max(0, Math.min(n, size - 8, 100_000_000)));
      readSync(fd, head, 0, head.length, 0);
      const h = parseSafetensorsHeader(new Uint8Array(head.buffer, head.byteOffset, head.length), size, path);
      for (const e of h.entries) this.entries.set(e.name, e);
      this.dataStart = h.dataStart;
    } finally {
      closeSync(fd);
    }
  }

  /** float32 values of an F32/F16/BF16 tensor, read from disk now. */
  readFloat(name: string): Float32Array {
    const e = this.entries.get(name);
    if (!e) throw new LedgerLabError({ kind: 'data', problem: `tensor "${name}" is not in the file`, where: this.path });
    const buf = Buffer.alloc(e.end - e.begin);
    const fd = openSync(this.path, 'r');
    try {
      let got = 0;
      while (got < buf.length) {
        const n = readSync(fd, buf, got, buf.length - got, this.dataStart + e.begin + got);
        if (n === 0) throw new LedgerLabError({ kind: 'io', problem: `file ended inside tensor "${name}"`, where: this.path });
        got += n;
      }
    } finally {
      closeSync(fd);
    }
    return floatValues({ dtype: e.dtype, shape: e.shape, data: new Uint8Array(buf.buffer, buf.byteOffset, buf.length) }, `${this.path}: tensor "${name}"`);
  }
}
