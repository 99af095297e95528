/** The experiment kinds that ship with LedgerLab, registered when the experiments module loads. */
import { registerExperimentKind } from './kind.ts';
import { speedupKind } from './speedup/kind.ts';
import { finetuneKind } from './finetune/kind.ts';

registerExperimentKind(speedupKind);
registerExperimentKind(finetuneKind);
import { registerReportSection } from '../report/sections.ts';
import { speedupReport } from './speedup/report.ts';

registerReportSection('speedup', ({ runs }) => speedupReport(runs));
import { simReport } from '../sim/report.ts';

registerReportSection('simulate', ({ runs }) => simReport(runs));
import { driftKind } from './drift/kind.ts';
import { driftReport } from './drift/report.ts';

registerExperimentKind(driftKind);
registerReportSection('drift', ({ runs }) => driftReport(runs));
import { qloraKind } from './qlora/kind.ts';
import { qloraReport } from './qlora/report.ts';

registerExperimentKind(qloraKind);
registerReportSection('qlora', ({ runs }) => qloraReport(runs));
