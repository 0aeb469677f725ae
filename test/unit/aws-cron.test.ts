import { toAwsCron } from '../../src/scheduler/aws-cron';

describe('toAwsCron', () => {
  it.each([
    ['0 3 * * *', 'cron(0 3 * * ? *)'],
    ['*/15 * * * *', 'cron(*/15 * * * ? *)'],
    ['0 9 * * 1-5', 'cron(0 9 ? * 2-6 *)'],
    ['30 8 * * 0,6', 'cron(30 8 ? * 1,7 *)'],
    ['0 12 * * 7', 'cron(0 12 ? * 1 *)'],
    ['0 6 * * MON-FRI', 'cron(0 6 ? * MON-FRI *)'],
    ['0 0 1 * *', 'cron(0 0 1 * ? *)'],
    ['@daily', 'cron(0 0 * * ? *)'],
    ['@weekly', 'cron(0 0 ? * 1 *)'],
  ])('%s → %s', (expression, expected) => {
    expect(toAwsCron(expression)).toBe(expected);
  });

  it.each([
    ['* * * * * *', /minute precision/],
    ['0 0 1 * 1', /cannot restrict both/],
    ['0 0 * * */2', /day-of-week steps/],
    ['0 0 * *', /expected 5 fields/],
  ])('refuses %s', (expression, message) => {
    expect(() => toAwsCron(expression)).toThrow(message);
  });
});
