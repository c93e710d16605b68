import { rejectionPicklist, rejectionTrack, validateRejectReason } from '../../src/domain/rejection';
import { sampleConfig } from './fixtures';

const config = sampleConfig();

describe('rejection picklist', () => {
  it('lists value and label in configuration order', () => {
    expect(rejectionPicklist(config)).toEqual([
      { value: 'wrong_company_size', label: 'Wrong company size' },
      { value: 'wrong_title', label: 'Wrong title / persona' },
      { value: 'no_budget_signal', label: 'No budget signal' },
      { value: 'bad_data_quality', label: 'Bad data quality' },
      { value: 'timing_not_right', label: 'Timing not right' },
    ]);
  });

  it.each([
    ['wrong_company_size', { nurtureListId: '101', leadStatus: 'UNQUALIFIED', reevaluate: false }],
    ['timing_not_right', { nurtureListId: '105', leadStatus: 'BAD_TIMING', reevaluate: true }],
  ])('finds the re-nurture track for %s', (reason, track) => {
    expect(rejectionTrack(config, reason)).toMatchObject({ reason, ...track });
  });

  it.each(['too_expensive', 'Wrong company size', 'WRONG_TITLE', ''])('has no track for %p', (reason) => {
    expect(rejectionTrack(config, reason)).toBeNull();
  });

  it('accepts every picklist value', () => {
    for (const { value } of rejectionPicklist(config)) expect(validateRejectReason(config, value)).toBeNull();
  });

  it.each([
    ['too_expensive', '"too_expensive"'],
    ['Timing not right', '"Timing not right"'],
  ])('refuses %p, naming it and the allowed values', (reason, quoted) => {
    expect(validateRejectReason(config, reason)).toBe(
      `rejection reason ${quoted} is not on the picklist; expected one of: ` +
        'wrong_company_size, wrong_title, no_budget_signal, bad_data_quality, timing_not_right',
    );
  });

  it('only offers what the organisation configured', () => {
    const short = { ...config, rejection: { ...config.rejection, reasons: config.rejection.reasons.slice(3) } };
    expect(validateRejectReason(short, 'wrong_title')).toBe(
      'rejection reason "wrong_title" is not on the picklist; expected one of: bad_data_quality, timing_not_right',
    );
  });
});
