import { InvalidArgumentError } from 'commander';

function integerIn(min: number, max: number, label: string): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`${label} must be an integer from ${min} to ${max}`);
    }
    return parsed;
  };
}

export const parseConcurrency = integerIn(1, 1000, 'concurrency');
export const parseDelaySeconds = integerIn(0, 900, 'delay');
