/** measure/: timing with warm-up, median and IQR. */
export { timeRepeats, summarize, quantile, quantileOf, median, formatStat } from './timing.ts';
export type { Stat } from './timing.ts';
export { meanCI, formatCI, t975 } from './stats.ts';
export type { Interval, Estimate, MeanCI } from './stats.ts';
export { Progress, formatSeconds, progressEveryS, parseProgressLine } from './progress.ts';
export { ProgressBoard } from './progress-board.ts';
export type { ProgressBoardOptions } from './progress-board.ts';
export type { ProgressOptions } from './progress.ts';
