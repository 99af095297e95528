/**
 * metrics/: text-generation metrics that reproduce the reference implementations case for case, with no
 * Python at run time — English ROUGE = Google rouge_score 0.1.2 (optional NLTK Porter stemmer), BLEU-4 = nltk
 * sentence_bleu + method3, Chinese ROUGE/BLEU = ChatGLM/LLaMA-Factory (jieba + rouge_chinese), and corpus
 * means with seeded (paired) bootstrap confidence intervals.
 */
export { porterStem } from './porter.ts';
export { tokenizeRouge, tokenizeBleu, pySplit } from './tokenize-en.ts';
export type { TokenizerWarning, WarningSink } from './tokenize-en.ts';
export { rougeScores, rougeScoresMulti, scoreNgrams, scoreLcs, scoreSummaryLcs, fmeasure, ROUGE_TYPES } from './rouge.ts';
export type { Score, RougeType, RougeScores, RougeOptions } from './rouge.ts';
export { sentenceBleu, bleu4En, bleu4Chars, modifiedPrecision, closestRefLength, brevityPenalty, fsum } from './bleu.ts';
export type { BleuOptions } from './bleu.ts';
export { jiebaCut, cutSentences, rougeChinese, zhScores, zhScoresMulti, pyRound, ZH_KEYS } from './zh.ts';
export type { ZhScores, FPR } from './zh.ts';
export { bootstrapCI, pairedBootstrap, bootstrapIndices } from './bootstrap.ts';
export type { BootstrapCI, BootstrapOptions, PairedBootstrap } from './bootstrap.ts';
export { parseScoreRecords, readScoreFile, scoreEnglish, scoreChinese } from './corpus.ts';
export type { ScoreRecord, EnItem, ItemWarning, ScoreOptions, CorpusResult } from './corpus.ts';
export { benchScore } from './bench.ts';
export type { ScoreBenchOptions, ScoreBenchResult } from './bench.ts';
export { diversityScores, diversityTokens, distinctN, seqRepetition, DIVERSITY_KEYS } from './diversity.ts';
export type { DiversityScores, DiversityKey } from './diversity.ts';
