/**
 * Every subcommand of `ledgerlab`: the command registry, and the only door of lib/cli/commands/ (rule (e) of
 * test/house/imports.test.ts). Add a command: write lib/cli/commands/<name>.ts (importing library code from
 * lib/index.ts only — the house test checks), import it here and list it in `commands`.
 */
import type { Command } from '../command.ts';
import { envCommand } from './env.ts';
import { benchKernelsCommand } from './bench-kernels.ts';
import { notebookRunCommand, parseParams } from './notebook-run.ts';
import { runsCommand, compareCommand } from './runs.ts';
import { runCommand } from './run.ts';
import { benchQuantCommand } from './bench-quant.ts';
import { dataSynthCommand, dataPaddingCommand } from './data.ts';
import { benchTrainCommand } from './bench-train.ts';
import { scoreCommand } from './score.ts';
import { benchScoreCommand } from './bench-score.ts';
import { reportCommand } from './report.ts';
import { benchGenerateCommand } from './bench-generate.ts';
import { simulateCommand } from './simulate.ts';
import { ledgerBenchCommand } from './ledger-bench.ts';
import { exportRunsCommand } from './export-runs.ts';
import { schemaCommand } from './schema.ts';
import { dataInspectCommand } from './data-inspect.ts';
import { generateCommand } from './generate.ts';
import { benchLoadCommand } from './bench-load.ts';
import { tokenizeCommand } from './tokenize.ts';
import { modelFetchCommand } from './model-fetch.ts';
import { exportCommand } from './export.ts';
import { dataFetchCommand } from './data-fetch.ts';
import { uiCommand } from './ui.ts';
import { workerCommand } from './worker.ts';
import { queueStatusCommand } from './queue-status.ts';
import { benchSimulateCommand } from './bench-simulate.ts';
import { estimateCommand } from './estimate.ts';
import { benchNoiseCommand } from './bench-noise.ts';

export const commands: Command[] = [envCommand, benchKernelsCommand, notebookRunCommand, runCommand, runsCommand, compareCommand, benchQuantCommand, dataSynthCommand, dataPaddingCommand, benchTrainCommand, scoreCommand, benchScoreCommand, reportCommand, benchGenerateCommand, simulateCommand, ledgerBenchCommand, exportRunsCommand, schemaCommand, dataInspectCommand, generateCommand, benchLoadCommand, tokenizeCommand, modelFetchCommand, exportCommand, dataFetchCommand, uiCommand, workerCommand, queueStatusCommand, benchSimulateCommand, estimateCommand, benchNoiseCommand];

export {
  envCommand, benchKernelsCommand, notebookRunCommand, runCommand, runsCommand, compareCommand, benchQuantCommand, dataSynthCommand,
  dataPaddingCommand, benchTrainCommand, scoreCommand, benchScoreCommand, reportCommand, benchGenerateCommand, simulateCommand,
  ledgerBenchCommand, exportRunsCommand, schemaCommand, dataInspectCommand, generateCommand, benchLoadCommand, tokenizeCommand,
  modelFetchCommand, exportCommand, dataFetchCommand, uiCommand, workerCommand, queueStatusCommand, benchSimulateCommand,
  estimateCommand, benchNoiseCommand,
  parseParams,
};
