/**
 * Offline compilation and artefact loading. Builds contracts/ with Hardhat 3 (solc from the npm package's
 * soljson.js, see hardhat.config.ts) into .cache/hardhat/, incrementally: a warm cache costs ~0.5 s.
 * Hardhat is imported lazily so importing lib/ never pays for it.
 */
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { LedgerLabError } from '../errors.ts';

/**
 * Repository root (hardhat.config.ts and contracts/ live there): found by walking up, so the built copy
 * in dist/lib/ledger/ resolves to the same root as the sources.
 */
export const LEDGER_ROOT = findRoot(import.meta.dirname);

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'hardhat.config.ts')) && existsSync(join(dir, 'contracts'))) return dir;
    if (dirname(dir) === dir) return join(from, '..', '..');
  }
}

export interface Artifact {
  contractName: string;
  sourceName: string;
  abi: readonly unknown[];
  bytecode: string;
  deployedBytecode: string;
}

// The runtime environment is process-wide: creating it twice costs ~1 s and both would share one cache.
let hrePromise: Promise<HardhatRuntime> | undefined;
let built: Promise<void> | undefined;

/** The subset of Hardhat's runtime environment the ledger client uses. */
export interface HardhatRuntime {
  tasks: { getTask(name: string): { run(args: Record<string, unknown>): Promise<unknown> } };
  artifacts: { readArtifact(name: string): Promise<Artifact> };
  network: {
    create(name?: string): Promise<{ provider: Eip1193Provider; close(): Promise<void> }>;
  };
}

export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

export function hardhatRuntime(): Promise<HardhatRuntime> {
  hrePromise ??= (async () => {
    try {
      const { createHardhatRuntimeEnvironment } = await import('hardhat/hre');
      // Always the root's config (not a dist/ copy), so paths and solc resolve the same from src or dist.
      const { hardhatUserConfig } = (await import(pathToFileURL(join(LEDGER_ROOT, 'hardhat.config.ts')).href)) as typeof import('../../hardhat.config.ts');
      return (await createHardhatRuntimeEnvironment(hardhatUserConfig, {}, LEDGER_ROOT)) as unknown as HardhatRuntime;
    } catch (err) {
      hrePromise = undefined;
      throw new LedgerLabError({
        kind: 'ledger', problem: `cannot start Hardhat: ${(err as Error).message}`, where: 'hardhat.config.ts',
        hint: 'run `npm ci` (hardhat 3.18, solc 0.8.28 and @nomicfoundation/edr-linux-x64-gnu must be installed)', cause: err,
      });
    }
  })();
  return hrePromise;
}

/** Compiles contracts/ once per process (Hardhat skips unchanged sources). */
export function ensureCompiled(): Promise<void> {
  built ??= (async () => {
    const hre = await hardhatRuntime();
    // Test files run two processes at a time; on a fresh clone both would compile into the same folder.
    const release = await lockDir(join(LEDGER_ROOT, '.cache', 'hardhat', 'build.lock'));
    try {
      await hre.tasks.getTask('build').run({ quiet: true });
    } catch (err) {
      built = undefined;
      throw new LedgerLabError({
        kind: 'ledger', problem: `Solidity compilation failed: ${(err as Error).message}`, where: 'contracts/',
        hint: 'run `node_modules/.bin/hardhat build` for the compiler diagnostics', cause: err,
      });
    } finally {
      release();
    }
  })();
  return built;
}

/** Cross-process mutex: mkdir is atomic. A lock older than 5 minutes is from a killed process. */
async function lockDir(dir: string): Promise<() => void> {
  mkdirSync(join(dir, '..'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(dir);
      return () => rmSync(dir, { recursive: true, force: true });
    } catch {
      try {
        if (Date.now() - statSync(dir).mtimeMs > 300_000) rmSync(dir, { recursive: true, force: true });
      } catch { /* released meanwhile */ }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function readArtifact(name: string): Promise<Artifact> {
  await ensureCompiled();
  const hre = await hardhatRuntime();
  try {
    return await hre.artifacts.readArtifact(name);
  } catch (err) {
    throw new LedgerLabError({ kind: 'ledger', problem: `no compiled contract "${name}"`, where: 'contracts/', hint: 'check the contract name', cause: err });
  }
}
