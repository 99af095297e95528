/** sim/agents/: honest contributors, the honest-equivalent counterfactual, and the attackers. */
export { GAS, SYNTHETIC_COST_FRACTION, itemCost, queryCost } from './types.ts';
export type { Agent, AgentContext, ItemPlan } from './types.ts';
export { honestAgent, honestEquivalent } from './honest.ts';
export { attackerAgent } from './attackers.ts';
