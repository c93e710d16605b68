/** The simulation's workflow bundle: the product's workflows, unchanged, and the simulated reps. */
export * from '../workflows';
export { simulatedRep } from './rep-workflow';
