/** Every workflow the worker registers. */
export { mqlHandoff } from './mql-handoff/index';
export { teamRoster } from './team-roster';
export { weeklyDigest } from './weekly-digest';
