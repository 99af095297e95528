/**
 * The environment LedgerLab's child processes start with (git, run workers, queue children, notebook runs):
 * an explicit allow-list copied from this process's own variables, in an object without a prototype. Node's
 * spawn reads every key of `env` *including inherited ones*, so `{...process.env}` or the default env would
 * hand a child anything planted on Object.prototype (NODE_OPTIONS=--require…, GIT_CONFIG_*=core.fsmonitor …);
 * and variables that change how a program loads code (NODE_OPTIONS, GIT_*, LD_PRELOAD, BASH_ENV …) are not
 * passed on unless a caller sets them on purpose in `extra`.
 */

/** Variables passed on by name. */
const NAMES = new Set([
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'TEMP', 'TMP', 'TERM', 'COLORTERM',
  'NO_COLOR', 'FORCE_COLOR', 'CI', 'DO_NOT_TRACK', 'LD_LIBRARY_PATH', 'NODE_V8_COVERAGE', 'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'OMP_NUM_THREADS', 'UV_THREADPOOL_SIZE', 'PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV', 'CONDA_PREFIX',
  // glibc malloc's settings, when the user set them: they reach run workers (which otherwise get lib/measure/allocator.ts's).
  'MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_',
]);

/** Variables passed on by prefix: LedgerLab's own, the hub's, locale, XDG folders, Jupyter, GPU runtimes, Hardhat. */
const PREFIXES = ['LEDGERLAB_', 'HF_', 'HUGGING_FACE_', 'LC_', 'XDG_', 'JUPYTER_', 'IPYTHON', 'TF_', 'TFJS_', 'CUDA_', 'NVIDIA_', 'ONNXRUNTIME_', 'HARDHAT_'];

export const passesToChild = (name: string): boolean => NAMES.has(name) || PREFIXES.some((p) => name.startsWith(p));

/**
 * The allow-listed variables of `from` (own properties only) plus `extra` (undefined deletes), as an object
 * without a prototype.
 */
export function childEnv(extra: Record<string, string | undefined> = {}, from: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.create(null);
  for (const name of Object.keys(from)) {
    const value = from[name];
    if (passesToChild(name) && typeof value === 'string') env[name] = value;
  }
  for (const name of Object.keys(extra)) {
    const value = extra[name];
    if (typeof value === 'string') env[name] = value;
    else delete env[name];
  }
  return env;
}
