/**
 * Every subcommand of `ledgerlab`. Add a command: write lib/cli/commands/<name>.ts (importing library code from
 * lib/index.ts only — test/house/imports.test.ts checks), list it here.
 */
import type { Command } from './command.ts';
import { envCommand } from './commands/env.ts';
import { benchKernelsCommand } from './commands/bench-kernels.ts';
import { notebookRunCommand } from './commands/notebook-run.ts';
import { runsCommand, compareCommand } from './commands/runs.ts';
import { runCommand } from './commands/run.ts';
import { benchQuantCommand } from './commands/bench-quant.ts';
import { dataSynthCommand, dataPaddingCommand } from './commands/data.ts';
import { benchTrainCommand } from './commands/bench-train.ts';
import { scoreCommand } from './commands/score.ts';
import { benchScoreCommand } from './commands/bench-score.ts';
import { reportCommand } from './commands/report.ts';
import { benchGenerateCommand } from './commands/bench-generate.ts';
import { simulateCommand } from './commands/simulate.ts';
import { ledgerBenchCommand } from './commands/ledger-bench.ts';
import { exportRunsCommand } from './commands/export-runs.ts';
import { schemaCommand } from './commands/schema.ts';
import { dataInspectCommand } from './commands/data-inspect.ts';
import { generateCommand } from './commands/generate.ts';
import { benchLoadCommand } from './commands/bench-load.ts';
import { tokenizeCommand } from './commands/tokenize.ts';
import { modelFetchCommand } from './commands/model-fetch.ts';
import { exportCommand } from './commands/export.ts';
import { dataFetchCommand } from './commands/data-fetch.ts';
import { uiCommand } from './commands/ui.ts';
import { workerCommand } from './commands/worker.ts';
import { queueStatusCommand } from './commands/queue-status.ts';
import { benchSimulateCommand } from './commands/bench-simulate.ts';
import { estimateCommand } from './commands/estimate.ts';
import { benchNoiseCommand } from './commands/bench-noise.ts';

export const commands: Command[] = [envCommand, benchKernelsCommand, notebookRunCommand, runCommand, runsCommand, compareCommand, benchQuantCommand, dataSynthCommand, dataPaddingCommand, benchTrainCommand, scoreCommand, benchScoreCommand, reportCommand, benchGenerateCommand, simulateCommand, ledgerBenchCommand, exportRunsCommand, schemaCommand, dataInspectCommand, generateCommand, benchLoadCommand, tokenizeCommand, modelFetchCommand, exportCommand, dataFetchCommand, uiCommand, workerCommand, queueStatusCommand, benchSimulateCommand, estimateCommand, benchNoiseCommand];
