/**
 * safetensors read/write (the Hugging Face format), bit-exact both ways.
 *
 * Layout: 8-byte little-endian u64 N, then N bytes of UTF-8 JSON, then the tensor bytes. The JSON maps each
 * tensor name to `{"dtype", "shape", "data_offsets": [begin, end)}` (offsets relative to the byte buffer
 * after the header) plus an optional `"__metadata__"` string→string map. Tensors are little-endian,
 * row-major, unstrided.
 *
 * Writing follows the reference implementation (safetensors' `tensor.rs`): tensors sorted by descending
 * dtype alignment, then by name (UTF-8 byte order), packed back to back from offset 0; compact JSON with
 * `__metadata__` first; the header padded with spaces to a multiple of 8 bytes so every tensor starts
 * 8-byte aligned. Files are written atomically (temp file in the same folder, fsync, rename).
 *
 * Reading checks what the reference checks and says where it failed: header length within the file and
 * ≤ 100 MB, valid UTF-8 JSON object starting with `{`, known dtypes, integer shapes, `end - begin` equal to
 * elements × dtype size, tensors contiguous from 0 without overlaps or gaps, and the last one ending at
 * the end of the file, and no duplicate tensor names (which JSON.parse would silently collapse).
 */
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { LedgerLabError } from '../errors.ts';
import { writeFileAtomic } from '../util/index.ts';

/** Every safetensors dtype, in the reference's increasing-alignment order (the write order is the reverse). */
export const SAFETENSORS_DTYPES = [
  'BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64',
] as const;
export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];

export const DTYPE_BYTES: Record<SafetensorsDtype, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

/** One tensor: dtype, shape and its raw little-endian bytes (exactly elements × dtype size). */
export interface SafeTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Uint8Array;
}

export interface SafetensorsContent {
  /** In file order (by offset). */
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

/** The reference's limit on header size, a guard against hostile files. */
export const MAX_HEADER_BYTES = 100_000_000;

function fail(where: string, problem: string, hint?: string): LedgerLabError {
  return new LedgerLabError({ kind: 'data', problem, where, hint });
}

/** The first key that occurs twice at the top level of a JSON object text, if any. */
export function duplicateTopLevelKey(json: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      let j = i + 1;
      while (j < json.length && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (depth === 1) {
        let k = j + 1;
        while (k < json.length && /\s/.test(json[k])) k++;
        if (json[k] === ':') {
          const key = JSON.parse(json.slice(i, j + 1)) as string;
          if (seen.has(key)) return key;
          seen.add(key);
        }
      }
      i = j;
    }
  }
  return undefined;
}

function elements(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function utf8Compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Serializes tensors (and string metadata) to safetensors bytes, byte-identical to the reference writer.
 *
 * @example
 * const bytes = serializeSafetensors({ 'attn.0': tensorFromArray('F32', [1, 2, 3], new Float32Array([0, 1, 2, 3, 4, 5])) });
 * bytes.length // 8 + 64 + 24
 */
export function serializeSafetensors(
  tensors: Record<string, SafeTensor> | Map<string, SafeTensor>, metadata?: Record<string, string>,
): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  for (const [name, t] of entries) {
    const where = `safetensors tensor "${name}"`;
    if (name === '__metadata__') throw fail(where, 'a tensor cannot be named "__metadata__"');
    if (!(SAFETENSORS_DTYPES as readonly string[]).includes(t.dtype)) throw fail(where, `unknown dtype "${t.dtype}"`);
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) throw fail(where, `shape [${t.shape.join(', ')}] is not a list of integers ≥ 0`);
    const want = elements(t.shape) * DTYPE_BYTES[t.dtype];
    if (t.data.byteLength !== want) {
      throw fail(where, `has ${t.data.byteLength} bytes; ${t.dtype} [${t.shape.join(', ')}] needs ${want}`);
    }
  }
  const order = (d: SafetensorsDtype): number => SAFETENSORS_DTYPES.indexOf(d);
  entries.sort(([an, a], [bn, b]) => order(b.dtype) - order(a.dtype) || utf8Compare(an, bn));
  const header: Record<string, unknown> = {};
  if (metadata) {
    const meta: Record<string, string> = {};
    for (const k of Object.keys(metadata).sort(utf8Compare)) {
      if (typeof metadata[k] !== 'string') throw fail(`safetensors __metadata__["${k}"]`, 'metadata values must be strings');
      meta[k] = metadata[k];
    }
    header.__metadata__ = meta;
  }
  let offset = 0;
  for (const [name, t] of entries) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const [, t] of entries) {
    out.set(t.data, at);
    at += t.data.byteLength;
  }
  return out;
}

/**
 * Parses safetensors bytes. Tensor `data` are views into `bytes` (no copy). `source` names the file in
 * errors.
 *
 * @example
 * const { tensors, metadata } = parseSafetensors(readFileSync('model.safetensors'), 'model.safetensors');
 * toFloat32(tensors.get('wte.weight')!) // Float32Array
 */
export function parseSafetensors(bytes: Uint8Array, source = '<bytes>'): SafetensorsContent {
  const { entries, metadata, dataStart } = parseSafetensorsHeader(bytes, bytes.byteLength, source);
  const tensors = new Map<string, SafeTensor>();
  for (const t of entries) {
    tensors.set(t.name, { dtype: t.dtype, shape: t.shape, data: bytes.subarray(dataStart + t.begin, dataStart + t.end) });
  }
  return { tensors, metadata };
}

/** One tensor's place in a file: byte range [begin, end) relative to `dataStart`. */
export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Validates a header given its first bytes (at least 8 + header length) and the file's total size, without
 * the tensor data: what a reader that loads tensors one at a time (lib/model/hf) needs. Entries are in file
 * order.
 */
export function parseSafetensorsHeader(bytes: Uint8Array, fileBytes: number, source = '<bytes>'): { entries: SafetensorsEntry[]; metadata: Record<string, string>; dataStart: number } {
  const { header, headerLen } = headerObject(bytes, fileBytes, source);
  const dataStart = 8 + headerLen;
  const dataLen = fileBytes - dataStart;
  const metadata: Record<string, string> = {};
  const found: SafetensorsEntry[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') Object.assign(metadata, headerMetadata(raw, source));
    else found.push(headerEntry(name, raw, dataLen, source));
  }
  found.sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkPackedBackToBack(found, dataLen, source);
  return { entries: found, metadata, dataStart };
}

/** The header's JSON object and its length: the 8-byte length, in bounds, strict UTF-8, an object without duplicate keys. */
function headerObject(bytes: Uint8Array, fileBytes: number, source: string): { header: Record<string, unknown>; headerLen: number } {
  if (fileBytes < 8 || bytes.byteLength < 8) {
    throw fail(source, `file is ${fileBytes} bytes; a safetensors file starts with an 8-byte header length`);
  }
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw fail(`${source}:0`, `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`, 'this is probably not a safetensors file');
  }
  const headerLen = Number(n);
  if (8 + headerLen > fileBytes || 8 + headerLen > bytes.byteLength) {
    throw fail(`${source}:0`, `header length ${headerLen} runs past the end of the file (${fileBytes} bytes)`,
      'the file is truncated or not a safetensors file');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    throw fail(`${source}: header`, 'header is not valid UTF-8');
  }
  if (!text.startsWith('{')) throw fail(`${source}: header`, `header must start with "{", found ${JSON.stringify(text.slice(0, 10))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw fail(`${source}: header`, `header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw fail(`${source}: header`, 'header must be a JSON object');
  const dup = duplicateTopLevelKey(text);
  if (dup !== undefined) throw fail(`${source}: header["${dup}"]`, `tensor name "${dup}" appears twice`, 'safetensors forbids duplicate keys');
  return { header: header as Record<string, unknown>, headerLen };
}

/** The header's `__metadata__`: an object of strings. */
function headerMetadata(raw: unknown, source: string): Record<string, string> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw fail(`${source}: header.__metadata__`, 'must be an object of strings');
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') throw fail(`${source}: header.__metadata__["${k}"]`, `metadata values must be strings, found ${typeof v}`);
    metadata[k] = v;
  }
  return metadata;
}

/** One tensor entry, checked: known keys and dtype, a shape, data_offsets the size of dtype × shape, inside the data. */
function headerEntry(name: string, raw: unknown, dataLen: number, source: string): SafetensorsEntry {
  const where = `${source}: header["${name}"]`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw fail(where, 'tensor entry must be an object');
  const info = raw as Record<string, unknown>;
  for (const k of Object.keys(info)) {
    if (!['dtype', 'shape', 'data_offsets'].includes(k)) throw fail(`${where}.${k}`, `unknown key "${k}"`, 'expected dtype, shape, data_offsets');
  }
  const dtype = info.dtype;
  if (typeof dtype !== 'string' || !(SAFETENSORS_DTYPES as readonly string[]).includes(dtype)) {
    throw fail(`${where}.dtype`, `unknown dtype ${JSON.stringify(dtype)}`, `known: ${SAFETENSORS_DTYPES.join(', ')}`);
  }
  const shape = info.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw fail(`${where}.shape`, `shape must be a list of integers ≥ 0, found ${JSON.stringify(shape)}`);
  }
  const offs = info.data_offsets;
  if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0) || offs[0] > offs[1]) {
    throw fail(`${where}.data_offsets`, `data_offsets must be [begin, end] with 0 ≤ begin ≤ end, found ${JSON.stringify(offs)}`);
  }
  const d = dtype as SafetensorsDtype;
  const need = elements(shape) * DTYPE_BYTES[d];
  if (offs[1] - offs[0] !== need) {
    throw fail(`${where}.data_offsets`, `[${offs[0]}, ${offs[1]}) is ${offs[1] - offs[0]} bytes; ${d} [${shape.join(', ')}] needs ${need}`);
  }
  if (offs[1] > dataLen) {
    throw fail(`${where}.data_offsets`, `[${offs[0]}, ${offs[1]}) runs past the end of the data (${dataLen} bytes)`, 'the file is truncated');
  }
  return { name, dtype: d, shape: shape as number[], begin: offs[0], end: offs[1] };
}

/** Tensors (sorted by offset) must cover the data exactly: no overlap, no gap, nothing after the last. */
function checkPackedBackToBack(found: readonly SafetensorsEntry[], dataLen: number, source: string): void {
  let expect = 0;
  let prev = '';
  for (const t of found) {
    if (t.begin < expect) {
      throw fail(`${source}: header["${t.name}"].data_offsets`, `[${t.begin}, ${t.end}) overlaps tensor "${prev}" (which ends at ${expect})`);
    }
    if (t.begin > expect) {
      throw fail(`${source}: header["${t.name}"].data_offsets`, `gap: bytes [${expect}, ${t.begin}) belong to no tensor`,
        'safetensors packs tensors back to back');
    }
    expect = t.end;
    prev = t.name;
  }
  if (expect !== dataLen) {
    throw fail(`${source}: data`, `${dataLen - expect} bytes after the last tensor belong to no tensor`, 'the last tensor must end at the end of the file');
  }
}

export function readSafetensors(path: string): SafetensorsContent {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new LedgerLabError({ kind: 'io', problem: `cannot read ${path}: ${(e as Error).message}`, where: path, cause: e });
  }
  return parseSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}

/** Writes atomically: a crash leaves either the old file or the complete new one, never half of it. */
export function writeSafetensors(
  path: string, tensors: Record<string, SafeTensor> | Map<string, SafeTensor>, metadata?: Record<string, string>,
): number {
  const bytes = serializeSafetensors(tensors, metadata);
  try {
    writeFileAtomic(path, bytes);
  } catch (e) {
    throw new LedgerLabError({ kind: 'io', problem: `cannot write ${path}: ${(e as Error).message}`, where: path, cause: e });
  }
  return bytes.byteLength;
}

// ---- typed-array helpers -------------------------------------------------------------------------------

type Typed = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

function assertLittleEndianHost(): void {
  if (endianness() !== 'LE') {
    throw new LedgerLabError({ kind: 'runtime', problem: 'typed-array views of safetensors need a little-endian host' });
  }
}

/**
 * A SafeTensor from a typed array (its bytes are copied). F16/BF16 take the 16-bit patterns as a
 * Uint16Array (see quant/half.ts), BOOL/F8 take bytes.
 *
 * @example
 * tensorFromArray('I64', [2], new BigInt64Array([1n, -1n]))
 */
export function tensorFromArray(dtype: SafetensorsDtype, shape: number[], values: Typed): SafeTensor {
  assertLittleEndianHost();
  const data = new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
  const t = { dtype, shape: [...shape], data };
  if (data.byteLength !== elements(shape) * DTYPE_BYTES[dtype]) {
    throw fail(`tensorFromArray(${dtype})`, `${values.length} values of ${values.BYTES_PER_ELEMENT} bytes do not fill ${dtype} [${shape.join(', ')}]`);
  }
  return t;
}

/** A copy of the tensor's values as the matching typed array (16-bit floats as their Uint16 bit patterns). */
export function toTypedArray(t: SafeTensor): Typed {
  assertLittleEndianHost();
  const buf = t.data.slice().buffer;
  switch (t.dtype) {
    case 'F32': return new Float32Array(buf);
    case 'F64': return new Float64Array(buf);
    case 'I8': return new Int8Array(buf);
    case 'I16': return new Int16Array(buf);
    case 'U16': case 'F16': case 'BF16': return new Uint16Array(buf);
    case 'I32': return new Int32Array(buf);
    case 'U32': return new Uint32Array(buf);
    case 'I64': return new BigInt64Array(buf);
    case 'U64': return new BigUint64Array(buf);
    default: return new Uint8Array(buf);
  }
}
