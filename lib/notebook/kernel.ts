/**
 * The Jupyter kernel spec for LedgerLab notebooks: tslab (TypeScript) started on the project's own Node 22,
 * written to <repo>/.jupyter/kernels/ledgerlab (found via JUPYTER_PATH), so nothing is installed globally.
 */
import { join } from 'node:path';
import { paths } from '../paths.ts';
import { writeJsonAtomic } from '../util/index.ts';

export const KERNEL_NAME = 'ledgerlab';

/** Writes (or refreshes) the kernel spec and returns the env that lets Jupyter find it. */
export function ensureKernelSpec(nodeBinary: string = process.execPath): { kernelName: string; env: Record<string, string> } {
  const tslab = join(paths.root, 'node_modules', 'tslab', 'bin', 'tslab');
  const PATH = `${paths.nodeModulesBin}:${process.env.PATH ?? ''}`;
  writeJsonAtomic(join(paths.jupyter, 'kernels', KERNEL_NAME, 'kernel.json'), {
    argv: [nodeBinary, tslab, 'kernel', '--config-path', '{connection_file}'],
    display_name: 'TypeScript (LedgerLab)',
    language: 'typescript',
    // Child processes started from cells (e.g. `hardhat node`) get Node 22 too.
    env: { PATH },
  });
  return {
    kernelName: KERNEL_NAME,
    env: {
      JUPYTER_PATH: [paths.jupyter, process.env.JUPYTER_PATH].filter(Boolean).join(':'),
      JUPYTER_RUNTIME_DIR: join(paths.jupyter, 'runtime'),
      JUPYTER_DATA_DIR: join(paths.jupyter, 'data'),
      PATH,
    },
  };
}
