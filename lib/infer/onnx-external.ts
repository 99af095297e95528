/**
 * ONNX "external data": initializer bytes in a side file next to the model, referenced from the graph by
 * `external_data` entries (location, offset, length) — the standard way past protobuf's 2 GB limit on one
 * serialized model.
 *
 * Why a sink written tensor by tensor: the graph builders produce one weight (or fused weight) at a time; each
 * is written to the data file at once and can be collected, so exporting never holds a second serialized copy
 * of the model (the in-protobuf export holds two: raw_data copies and the encoded buffer). ONNX Runtime (node)
 * resolves `location` relative to the folder of the .onnx file it was given as a path — it has no way to take
 * the side file's bytes from JS — so external exports are always files. Offsets are page-aligned so ORT may map
 * the tensors instead of copying them.
 */
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const ALIGN = 4096;

/** Tensors smaller than this stay inside the graph (onnx's own default threshold for external data). */
export const EXTERNAL_MIN_BYTES = 1024;

export class ExternalDataSink {
  /** The data file's name as the graph refers to it (relative to the .onnx file's folder). */
  readonly location: string;
  private readonly path: string;
  private readonly fd: number;
  private offset = 0;

  /** Opens `dataPath` for writing (as `dataPath.tmp` until close, so a crash leaves no half file under the name). */
  constructor(dataPath: string) {
    this.path = dataPath;
    this.location = basename(dataPath);
    this.fd = openSync(`${dataPath}.tmp`, 'w');
  }

  /** Writes `data` at the next aligned offset; returns the tensor's external_data entries. */
  append(data: ArrayBufferView): onnxProto.onnx.IStringStringEntryProto[] {
    const start = Math.ceil(this.offset / ALIGN) * ALIGN;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    for (let done = 0; done < bytes.length;) done += writeSync(this.fd, bytes, done, bytes.length - done, start + done);
    this.offset = start + bytes.length;
    return [
      { key: 'location', value: this.location },
      { key: 'offset', value: String(start) },
      { key: 'length', value: String(bytes.length) },
    ];
  }

  /** Bytes written so far (with alignment padding). */
  get size(): number {
    return this.offset;
  }

  close(): void {
    closeSync(this.fd);
    renameSync(`${this.path}.tmp`, this.path);
  }
}

/** A float32 initializer whose bytes go to `sink` (written now, without copying the array). */
export function externalFloatTensor(sink: ExternalDataSink, name: string, data: Float32Array, dims: number[]): onnxProto.onnx.ITensorProto {
  return { name, dataType: onnx.TensorProto.DataType.FLOAT, dims, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: sink.append(data) };
}
