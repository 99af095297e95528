/** notebook/: headless execution (Debian Jupyter + tslab), kernel spec, parameters. */
export { runNotebook, resolveNotebook, ensureDistBuilt, DEBIAN_JUPYTER_PACKAGES } from './runner.ts';
export { findJupyterPython, jupyterPythonCandidates, JUPYTER_MODULES } from './python.ts';
export type { NotebookRunOptions, NotebookRunResult } from './runner.ts';
export { ensureKernelSpec, KERNEL_NAME } from './kernel.ts';
