// The optimiser names alone, without TF.js, for flag parsing.
export type OptimizerKind = 'sgd' | 'adam' | 'adamw';
export const OPTIMIZERS: readonly OptimizerKind[] = ['sgd', 'adam', 'adamw'];
