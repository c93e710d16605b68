/** Every workflow the worker registers. */
export { mqlHandoff } from './mql-handoff';
export { teamRoster } from './team-roster';
