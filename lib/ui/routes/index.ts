/**
 * ui/routes/: the workbench's HTTP API, one file per area (runs, chat, reports, incentive heat maps, estimates),
 * each a `register…Routes(app, …)` that server.ts calls. The sub-folder's only door (rule (e) of
 * test/house/imports.test.ts).
 */
export { registerRunRoutes } from './runs.ts';
export { registerChatRoutes, GenerateSchema } from './chat.ts';
export { registerReportRoutes, reportDir, listReports } from './reports.ts';
export { registerSimRoutes } from './sim.ts';
export { registerEstimateRoutes } from './estimate.ts';
