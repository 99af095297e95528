/**
 * Sees what tfjs-backend-wasm's C++ code writes to stderr, the moment it writes it.
 *
 * Why: XNNPACK reports failures only as a line on stderr ("XNN status for xnn_create_fully_connected_nc_f32 is
 * not successful. Got status 6") and the kernel then returns garbage. Emscripten's JS side buffers that text
 * until a newline and prints it through a `console.warn` bound when the module was created, so hooking the
 * console sees it late or not at all. The wasm module imports `fd_write` (WASI) for every byte it prints;
 * wrapping that import while the backend instantiates its module sees each write synchronously, inside the
 * kernel that failed. Nothing else changes: the bytes are still passed on.
 */

type FdWrite = (fd: number, iov: number, iovcnt: number, pnum: number) => number;
type Imports = Record<string, Record<string, unknown>>;
interface WasmApi {
  instantiate(src: unknown, imports?: Imports): Promise<unknown>;
  instantiateStreaming?(src: unknown, imports?: Imports): Promise<unknown>;
}

const STDERR = 2;

/** Text of the iovec list `iov` (WASI layout: pointer, length, as little-endian u32 pairs). */
function iovText(memory: { buffer: ArrayBuffer }, iov: number, iovcnt: number): string {
  const view = new DataView(memory.buffer);
  const decoder = new TextDecoder();
  let text = '';
  for (let i = 0; i < iovcnt; i++) {
    const ptr = view.getUint32(iov + 8 * i, true);
    const len = view.getUint32(iov + 8 * i + 4, true);
    text += decoder.decode(new Uint8Array(memory.buffer, ptr, len));
  }
  return text;
}

function wrapImports(imports: Imports | undefined, memory: () => { buffer: ArrayBuffer } | undefined, onText: (t: string) => void): void {
  for (const ns of Object.values(imports ?? {})) {
    const original = ns.fd_write as (FdWrite & { sniffed?: boolean }) | undefined;
    if (typeof original !== 'function' || original.sniffed) continue;
    const sniffing: FdWrite & { sniffed?: boolean } = (fd, iov, iovcnt, pnum) => {
      const mem = memory();
      if (fd === STDERR && mem) onText(iovText(mem, iov, iovcnt));
      return original(fd, iov, iovcnt, pnum);
    };
    sniffing.sniffed = true;
    ns.fd_write = sniffing;
  }
}

/**
 * Runs `init` (which instantiates the wasm module) with WebAssembly.instantiate(Streaming) wrapped so the
 * module's stderr writes reach `onText`; restores both afterwards.
 */
export async function sniffWasmStderr<T>(init: () => Promise<T>, onText: (text: string) => void): Promise<T> {
  const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const { instantiate, instantiateStreaming } = api;
  let memory: { buffer: ArrayBuffer } | undefined;
  const keep = (r: unknown) => {
    const exports = ((r as { instance?: { exports: Record<string, unknown> } }).instance ?? (r as { exports: Record<string, unknown> })).exports;
    memory = (exports?.memory as { buffer: ArrayBuffer } | undefined) ?? memory;
    return r;
  };
  api.instantiate = (src, imports) => {
    wrapImports(imports, () => memory, onText);
    return instantiate.call(api, src, imports).then(keep);
  };
  if (instantiateStreaming) {
    api.instantiateStreaming = (src, imports) => {
      wrapImports(imports, () => memory, onText);
      return instantiateStreaming.call(api, src, imports).then(keep);
    };
  }
  try {
    return await init();
  } finally {
    api.instantiate = instantiate;
    if (instantiateStreaming) api.instantiateStreaming = instantiateStreaming;
  }
}
