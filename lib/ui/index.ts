/**
 * ui/: the local web workbench (`ledgerlab ui`) — runs table and compare, run pages with live curves, launch
 * forms from kind schemas, a chat playground, reports and incentive heat maps — served by Fastify with a
 * no-build front end (static/), token-checked API and file serving confined to the results root.
 */
export { startUi, buildApp, DEFAULT_PORT } from './server.ts';
export type { UiOptions, UiServer } from './server.ts';
export { resolveInside } from './files.ts';
export { generateToken, isLoopback, TOKEN_HEADER } from './auth.ts';
export { describeSchema } from './form.ts';
export type { FormField } from './form.ts';
export { Launcher, launchInvalid, fieldIssues } from './launch.ts';
export type { LaunchRequest, Launch, FieldIssue } from './launch.ts';
export { registerChatSource, chatSources, chatTargets, loadRunModel, ChatModels } from './chat/index.ts';
export type { ChatModel, ChatOptions, ChatSource, ChatTarget } from './chat/index.ts';
export { runSummary, keyMetrics, progressOf } from './run-view.ts';
export type { RunSummary, Progress as RunProgress } from './run-view.ts';
