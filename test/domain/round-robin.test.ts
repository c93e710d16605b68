import {
  claimRep,
  emptyRoster,
  MAX_REMEMBERED_CLAIMS,
  pickRep,
  releaseRep,
  type RosterCandidate,
  type RosterState,
} from '../../src/domain/round-robin';

const rep = (repId: string, capacity = 25, available = true): RosterCandidate => ({ repId, capacity, available });

function rosterWith(open: Record<string, number>, lastAssignedSeq: Record<string, number> = {}): RosterState {
  const state = emptyRoster('sdr-inbound');
  for (const [repId, n] of Object.entries(open)) {
    state.open[repId] = Array.from({ length: n }, (_, i) => `mql-hubspot-${repId}-${i}`);
  }
  state.lastAssignedSeq = { ...lastAssignedSeq };
  state.seq = Math.max(0, ...Object.values(lastAssignedSeq));
  return state;
}

describe('emptyRoster', () => {
  it('starts with nothing open and nothing remembered', () => {
    expect(emptyRoster('ae-enterprise')).toEqual({
      teamId: 'ae-enterprise',
      open: {},
      lastAssignedSeq: {},
      seq: 0,
      recentClaims: {},
      claimOrder: [],
    });
  });
});

describe('pickRep', () => {
  it.each([
    [
      'fewest open leads first',
      rosterWith({ ana: 3, ben: 1, chloe: 2 }),
      [rep('ana'), rep('ben'), rep('chloe')],
      [],
      'ben',
    ],
    [
      'ties go to the rep assigned least recently',
      rosterWith({ ana: 1, ben: 1 }, { ana: 7, ben: 4 }),
      [rep('ana'), rep('ben')],
      [],
      'ben',
    ],
    [
      'a never-assigned rep beats everyone on a tie',
      rosterWith({}, { ana: 1, ben: 2 }),
      [rep('ana'), rep('ben'), rep('dev')],
      [],
      'dev',
    ],
    ['then candidate order', emptyRoster('t'), [rep('chloe'), rep('ana')], [], 'chloe'],
    ['skips reps out of office', rosterWith({ ben: 5 }), [rep('ana', 25, false), rep('ben')], [], 'ben'],
    ['skips excluded reps', emptyRoster('t'), [rep('ana'), rep('ben')], ['ana'], 'ben'],
    ['skips reps at capacity', rosterWith({ ana: 2, ben: 9 }), [rep('ana', 2), rep('ben', 10)], [], 'ben'],
    ['null when everyone is out or full', rosterWith({ ben: 10 }), [rep('ana', 5, false), rep('ben', 10)], [], null],
    ['null with no candidates', emptyRoster('t'), [], [], null],
  ])('%s', (_case, state, candidates, exclude, expected) => {
    const before = JSON.stringify(state);
    expect(pickRep(state, candidates, exclude)).toBe(expected);
    expect(JSON.stringify(state)).toBe(before);
  });
});

describe('claimRep', () => {
  it('records the lead as open for the chosen rep and advances the sequence', () => {
    const state = emptyRoster('sdr-inbound');
    const result = claimRep(state, { claimKey: 'k1', leadId: 'mql-hubspot-1', candidates: [rep('ana'), rep('ben')] });
    expect(result).toEqual({ repId: 'ana', openLeads: 1 });
    expect(state.open).toEqual({ ana: ['mql-hubspot-1'] });
    expect(state.lastAssignedSeq).toEqual({ ana: 1 });
    expect(state.seq).toBe(1);
    expect(claimRep(state, { claimKey: 'k2', leadId: 'mql-hubspot-2', candidates: [rep('ana'), rep('ben')] })).toEqual({
      repId: 'ben',
      openLeads: 1,
    });
  });

  it('answers a retried claim with the first answer and no second assignment', () => {
    const state = emptyRoster('sdr-inbound');
    const input = { claimKey: 'mql-hubspot-1/0/assign', leadId: 'mql-hubspot-1', candidates: [rep('ana'), rep('ben')] };
    const first = claimRep(state, input);
    const snapshot = JSON.parse(JSON.stringify(state));
    expect(claimRep(state, input)).toEqual(first);
    expect(claimRep(state, { ...input, candidates: [rep('ben')] })).toEqual(first);
    expect(state).toEqual(snapshot);
  });

  it('remembers "nobody was available" for a retried claim too', () => {
    const state = emptyRoster('sdr-inbound');
    const input = { claimKey: 'k', leadId: 'mql-hubspot-1', candidates: [rep('ana', 5, false)] };
    expect(claimRep(state, input)).toEqual({ repId: null, openLeads: 0 });
    expect(claimRep(state, { ...input, candidates: [rep('ana')] })).toEqual({ repId: null, openLeads: 0 });
    expect(state.open).toEqual({});
  });

  it('honours exclude (the rep being reassigned away from)', () => {
    const state = rosterWith({ ana: 1 });
    const result = claimRep(state, {
      claimKey: 'reassign-1',
      leadId: 'mql-hubspot-ana-0',
      candidates: [rep('ana'), rep('ben', 25, false), rep('chloe')],
      exclude: ['ana'],
    });
    expect(result).toEqual({ repId: 'chloe', openLeads: 1 });
  });

  it(`remembers only the last ${MAX_REMEMBERED_CLAIMS} claim keys`, () => {
    const state = emptyRoster('sdr-inbound');
    const total = MAX_REMEMBERED_CLAIMS + 5;
    for (let i = 0; i < total; i++) {
      claimRep(state, { claimKey: `k${i}`, leadId: `lead-${i}`, candidates: [rep('ana', total)] });
    }
    expect(state.claimOrder).toHaveLength(MAX_REMEMBERED_CLAIMS);
    expect(Object.keys(state.recentClaims)).toHaveLength(MAX_REMEMBERED_CLAIMS);
    expect(state.claimOrder[0]).toBe('k5');
    expect(Object.hasOwn(state.recentClaims, 'k4')).toBe(false);
    expect(Object.hasOwn(state.recentClaims, `k${total - 1}`)).toBe(true);
  });

  it('does not list the same lead twice for a rep', () => {
    const state = emptyRoster('t');
    claimRep(state, { claimKey: 'a', leadId: 'lead-1', candidates: [rep('ana')] });
    releaseRep(state, 'ben', 'lead-1');
    expect(claimRep(state, { claimKey: 'b', leadId: 'lead-1', candidates: [rep('ana')] })).toEqual({
      repId: 'ana',
      openLeads: 1,
    });
  });
});

describe('releaseRep', () => {
  it('removes the lead from the rep and frees capacity', () => {
    const state = rosterWith({ ana: 2 });
    releaseRep(state, 'ana', 'mql-hubspot-ana-0');
    expect(state.open.ana).toEqual(['mql-hubspot-ana-1']);
    expect(pickRep(state, [rep('ana', 2)])).toBe('ana');
  });

  it.each([
    ['an unknown rep', 'zoe', 'mql-hubspot-ana-0'],
    ['a lead that is not open', 'ana', 'mql-hubspot-other'],
  ])('is a no-op for %s', (_case, repId, leadId) => {
    const state = rosterWith({ ana: 2 });
    const before = JSON.stringify(state);
    releaseRep(state, repId, leadId);
    expect(JSON.stringify(state)).toBe(before);
  });
});

describe('load balancing properties', () => {
  const claimMany = (state: RosterState, n: number, candidates: RosterCandidate[]): (string | null)[] =>
    Array.from(
      { length: n },
      (_, i) => claimRep(state, { claimKey: `claim-${i}`, leadId: `lead-${i}`, candidates }).repId,
    );

  it.each([25, 40])('100 claims over 4 reps with capacity %i: every rep within one of each other', (capacity) => {
    const state = emptyRoster('sdr-inbound');
    const reps = ['ana', 'ben', 'chloe', 'dev'].map((id) => rep(id, capacity));
    const winners = claimMany(state, 100, reps);
    const counts = reps.map((r) => winners.filter((w) => w === r.repId).length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(counts.reduce((a, b) => a + b)).toBe(100);
  });

  it('rotates through the team rather than piling on one rep when leads close as fast as they arrive', () => {
    const state = emptyRoster('sdr-inbound');
    const reps = ['ana', 'ben', 'chloe'].map((id) => rep(id));
    const winners: (string | null)[] = [];
    for (let i = 0; i < 9; i++) {
      const { repId } = claimRep(state, { claimKey: `c${i}`, leadId: `lead-${i}`, candidates: reps });
      winners.push(repId);
      releaseRep(state, repId!, `lead-${i}`);
    }
    expect(winners).toEqual(['ana', 'ben', 'chloe', 'ana', 'ben', 'chloe', 'ana', 'ben', 'chloe']);
  });

  it('with capacities 2, 10, 10 and 15 claims nobody exceeds capacity', () => {
    const state = emptyRoster('ae-enterprise');
    const reps = [rep('hugo', 2), rep('isla', 10), rep('jonas', 10)];
    const winners = claimMany(state, 15, reps);
    expect(winners).not.toContain(null);
    for (const r of reps) expect(state.open[r.repId]?.length ?? 0).toBeLessThanOrEqual(r.capacity);
    expect(state.open.hugo).toHaveLength(2);
  });

  it('returns null once everyone is full, and a release makes room again', () => {
    const state = emptyRoster('ae-enterprise');
    const reps = [rep('hugo', 1), rep('isla', 2), rep('jonas', 3, false)];
    const winners = claimMany(state, 5, reps);
    expect(winners.filter((w) => w !== null)).toHaveLength(3);
    expect(winners.slice(3)).toEqual([null, null]);
    releaseRep(state, 'isla', state.open.isla![0]!);
    expect(claimRep(state, { claimKey: 'after-release', leadId: 'lead-x', candidates: reps }).repId).toBe('isla');
  });
});
