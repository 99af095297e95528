/**
 * The backend as reports print it: "wasm", or "wasm+ort-matmul" when matrix products ran in ONNX Runtime.
 * Takes a stored run record's environment as read back from disk (any shape; missing parts read "unknown").
 */
export function backendLabel(environment: unknown): string {
  const b = (environment as { backend?: { name?: unknown; kernelFixes?: unknown } } | undefined)?.backend;
  if (typeof b?.name !== 'string') return 'unknown';
  return Array.isArray(b.kernelFixes) && b.kernelFixes.includes('OrtMatMul') ? `${b.name}+ort-matmul` : b.name;
}
