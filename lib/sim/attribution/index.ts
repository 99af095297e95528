/**
 * sim/attribution/: data valuation methods over a cooperative game — leave-one-out, exact (brute force)
 * Shapley and Banzhaf for small games, seeded Monte-Carlo Shapley and Banzhaf, exact KNN-Shapley for top-K
 * retrieval, and cluster-level quotient values.
 */
export type { Game } from './game.ts';
export { gameOf, quotientGame } from './game.ts';
export { bruteForceShapley, bruteForceBanzhaf } from './exact.ts';
export { leaveOneOut } from './loo.ts';
export { monteCarloShapley, monteCarloBanzhaf } from './monte-carlo.ts';
export { knnShapley, knnGame, rankBySimilarity } from './knn.ts';
export { quotientShapley, splitGroupValues, checkPartition, clusterBySimilarity } from './quotient.ts';
export type { QuotientOptions } from './quotient.ts';
