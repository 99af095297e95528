import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  serializeSafetensors, parseSafetensors, readSafetensors, writeSafetensors, tensorFromArray, toTypedArray,
  SAFETENSORS_DTYPES, DTYPE_BYTES, type SafeTensor, type SafetensorsDtype,
} from '../../lib/model/safetensors.ts';
import { LedgerLabError } from '../../lib/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'll-safetensors-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const f32 = (shape: number[], values: number[]): SafeTensor => tensorFromArray('F32', shape, new Float32Array(values));

/** Builds a raw file from a header object (or string) and a data byte count. */
function rawFile(header: unknown, dataBytes: number, headerLen?: number): Uint8Array {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen ?? json.length), true);
  out.set(json, 8);
  return out;
}

function parseError(bytes: Uint8Array, source = 'bad.safetensors'): LedgerLabError {
  try {
    parseSafetensors(bytes, source);
  } catch (e) {
    assert.instance(e, LedgerLabError);
    assert.is((e as LedgerLabError).kind, 'data');
    return e as LedgerLabError;
  }
  throw new Error('expected a parse error');
}

test('byte-identical to the reference writer (safetensors tensor.rs test vectors)', () => {
  // test_serialization: {"attn.0": F32 [1,2,3] = 0..5}
  assert.equal([...serializeSafetensors({ 'attn.0': f32([1, 2, 3], [0, 1, 2, 3, 4, 5]) })], [
    64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
    116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
    58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
    101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
    0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
  ]);
  // test_empty, without and with metadata: the header is padded with spaces to 8 bytes.
  assert.equal([...serializeSafetensors({})], [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
  assert.equal([...serializeSafetensors({}, { framework: 'pt' })], [
    40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
    95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
    116, 34, 125, 125, 32, 32, 32, 32, 32,
  ]);
  // test_serialization_forced_alignement: "attn0" F32 [1,1,2,3], 7 spaces of padding.
  const out = serializeSafetensors({ attn0: f32([1, 1, 2, 3], [0, 1, 2, 3, 4, 5]) });
  assert.is(new DataView(out.buffer).getBigUint64(0, true), 72n);
  assert.is(Buffer.from(out.subarray(8, 80)).toString(), '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ');
  assert.equal([...out.subarray(80)], [0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64]);
});

test('write order: descending dtype alignment, then name, so each tensor starts aligned to its element size', () => {
  const bytes = serializeSafetensors({
    b_u8: tensorFromArray('U8', [3], new Uint8Array([1, 2, 3])),
    a_u8: tensorFromArray('U8', [1], new Uint8Array([9])),
    f16: tensorFromArray('F16', [2], new Uint16Array([0x3c00, 0xc000])),
    z_f32: f32([1], [1]),
    a_f32: f32([2], [2, 3]),
    i64: tensorFromArray('I64', [1], new BigInt64Array([-1n])),
  }, { b: '2', a: '1' });
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.is(headerLen % 8, 0);
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + headerLen)).toString());
  assert.equal(Object.keys(header), ['__metadata__', 'i64', 'a_f32', 'z_f32', 'f16', 'a_u8', 'b_u8']);
  assert.equal(Object.keys(header.__metadata__), ['a', 'b']);
  assert.equal(header.i64.data_offsets, [0, 8]);
  assert.equal(header.a_f32.data_offsets, [8, 16]);
  assert.equal(header.f16.data_offsets, [20, 24]);
  assert.equal(header.b_u8.data_offsets, [25, 28]);
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, data_offsets } = info as { dtype: SafetensorsDtype; data_offsets: number[] };
    assert.is((8 + headerLen + data_offsets[0]) % DTYPE_BYTES[dtype], 0, `${name} aligned`);
  }
  const parsed = parseSafetensors(bytes);
  assert.equal([...parsed.tensors.keys()], ['i64', 'a_f32', 'z_f32', 'f16', 'a_u8', 'b_u8']);
  assert.equal(parsed.metadata, { a: '1', b: '2' });
});

test('round trip is bit-exact for every dtype, scalars, empty tensors, NaN payloads and -0', () => {
  const tensors: Record<string, SafeTensor> = {};
  const bits = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 73 + seed * 31 + 7) & 0xff);
  SAFETENSORS_DTYPES.forEach((dtype, k) => {
    tensors[`t_${dtype}`] = { dtype, shape: [2, 3], data: bits(6 * DTYPE_BYTES[dtype], k) };
  });
  const nanPayload = new Float32Array(new Uint32Array([0x7fc00001, 0xffbfffff, 0x80000000, 0x00000001]).buffer);
  tensors.nan = tensorFromArray('F32', [4], nanPayload);
  tensors.scalar = f32([], [3.5]);
  tensors.empty = f32([0], []);
  tensors.empty2 = tensorFromArray('I32', [2, 0], new Int32Array(0));
  tensors.u64 = tensorFromArray('U64', [2], new BigUint64Array([0xffffffffffffffffn, 1n]));
  tensors.f64 = tensorFromArray('F64', [2], new Float64Array([-0, Math.PI]));
  tensors['名前.ünïcode'] = tensorFromArray('BF16', [1], new Uint16Array([0x3f80]));
  const meta = { format: 'pt', note: 'line\nbreak "quoted" \\ ✓' };
  const bytes = serializeSafetensors(tensors, meta);
  const path = join(dir, 'all.safetensors');
  assert.is(writeSafetensors(path, tensors, meta), bytes.byteLength);
  assert.equal(new Uint8Array(readFileSync(path)), bytes);
  const back = readSafetensors(path);
  assert.equal(back.metadata, meta);
  assert.is(back.tensors.size, Object.keys(tensors).length);
  for (const [name, t] of Object.entries(tensors)) {
    const got = back.tensors.get(name)!;
    assert.ok(got, name);
    assert.is(got.dtype, t.dtype, name);
    assert.equal(got.shape, t.shape, name);
    assert.equal([...got.data], [...t.data], name);
  }
  assert.equal([...new Uint32Array((toTypedArray(back.tensors.get('nan')!) as Float32Array).buffer)], [0x7fc00001, 0xffbfffff, 0x80000000, 1]);
  assert.equal([...(toTypedArray(back.tensors.get('u64')!) as BigUint64Array)], [0xffffffffffffffffn, 1n]);
  assert.ok(Object.is((toTypedArray(back.tensors.get('f64')!) as Float64Array)[0], -0));
  assert.equal(serializeSafetensors(back.tensors, back.metadata), bytes, 'read → write reproduces the file');
});

test('atomic write: overwrite in place, create missing folders, leave no temp files', () => {
  const sub = join(dir, 'nested', 'deeper');
  const path = join(sub, 'x.safetensors');
  writeSafetensors(path, { a: f32([1], [1]) });
  writeSafetensors(path, { a: f32([2], [1, 2]) });
  assert.equal(readdirSync(sub), ['x.safetensors']);
  assert.equal(readSafetensors(path).tensors.get('a')!.shape, [2]);
});

test('writer refuses inconsistent tensors', () => {
  assert.throws(() => serializeSafetensors({ a: { dtype: 'F32', shape: [3], data: new Uint8Array(8) } }), /has 8 bytes; F32 \[3\] needs 12/);
  assert.throws(() => serializeSafetensors({ a: { dtype: 'F128' as SafetensorsDtype, shape: [1], data: new Uint8Array(16) } }), /unknown dtype "F128"/);
  assert.throws(() => serializeSafetensors({ __metadata__: f32([1], [1]) }), /cannot be named "__metadata__"/);
  assert.throws(() => tensorFromArray('F32', [3], new Float32Array(2)), /do not fill F32 \[3\]/);
});

test('malformed headers: located errors naming the file, the tensor and the field', () => {
  const good = { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  let e = parseError(new Uint8Array(5));
  assert.match(e.problem, 'file is 5 bytes');
  assert.is(e.where, 'bad.safetensors');

  e = parseError(rawFile(good, 8, 1000));
  assert.match(e.problem, 'header length 1000 runs past the end of the file');

  e = parseError(rawFile(good, 8, 200_000_000));
  assert.match(e.problem, 'exceeds the 100000000-byte limit');

  e = parseError(rawFile('{"w": {', 0));
  assert.match(e.problem, 'header is not valid JSON');
  assert.is(e.where, 'bad.safetensors: header');

  e = parseError(rawFile('[1, 2]  ', 0));
  assert.match(e.problem, 'header must start with "{"');

  const badUtf8 = rawFile('{"a":1}', 0);
  badUtf8[10] = 0xff;
  assert.match(parseError(badUtf8).problem, 'not valid UTF-8');

  e = parseError(rawFile({ w: { dtype: 'F128', shape: [2], data_offsets: [0, 32] } }, 32));
  assert.match(e.problem, 'unknown dtype "F128"');
  assert.is(e.where, 'bad.safetensors: header["w"].dtype');
  assert.match(e.hint!, 'F32');

  e = parseError(rawFile({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 12] } }, 12));
  assert.match(e.problem, '[0, 12) is 12 bytes; F32 [2] needs 8');
  assert.is(e.where, 'bad.safetensors: header["w"].data_offsets');

  e = parseError(rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12));
  assert.match(e.problem, 'overlaps tensor "a"');
  assert.is(e.where, 'bad.safetensors: header["b"].data_offsets');

  e = parseError(rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, 12));
  assert.match(e.problem, 'gap: bytes [4, 8) belong to no tensor');

  e = parseError(rawFile(good, 4));
  assert.match(e.problem, 'runs past the end of the data (4 bytes)');

  e = parseError(rawFile(good, 12));
  assert.match(e.problem, '4 bytes after the last tensor');

  e = parseError(rawFile({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }, 0));
  assert.is(e.where, 'bad.safetensors: header["w"].shape');

  e = parseError(rawFile({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, 4));
  assert.match(e.problem, 'data_offsets must be [begin, end]');

  e = parseError(rawFile({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4], extra: 1 } }, 4));
  assert.is(e.where, 'bad.safetensors: header["w"].extra');

  e = parseError(rawFile('{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "x\\"y": {}, "w" : {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}', 8));
  assert.match(e.problem, 'tensor name "w" appears twice');
  assert.is(e.where, 'bad.safetensors: header["w"]');

  e = parseError(rawFile({ __metadata__: { n: 3 }, ...good }, 8));
  assert.is(e.where, 'bad.safetensors: header.__metadata__["n"]');
});

test('reading a missing or truncated file on disk', () => {
  try {
    readSafetensors(join(dir, 'nope.safetensors'));
    assert.unreachable();
  } catch (e) {
    assert.instance(e, LedgerLabError);
    assert.is((e as LedgerLabError).kind, 'io');
  }
  const path = join(dir, 'trunc.safetensors');
  const full = serializeSafetensors({ w: f32([4], [1, 2, 3, 4]) });
  writeFileSync(path, full.subarray(0, full.length - 3));
  try {
    readSafetensors(path);
    assert.unreachable();
  } catch (e) {
    assert.match((e as LedgerLabError).where!, `${path}: header["w"].data_offsets`);
    assert.match((e as LedgerLabError).problem, 'runs past the end of the data');
  }
});

test.run();
