/**
 * The hand-over reads every unit by query; a unit busy at the close may let the server's query
 * timeout pass. queryPatiently asks that unit again (keeping what was read) and lets any other
 * error through at once.
 */
import { ServiceError } from '@temporalio/client';
import { queryPatiently } from '../../activities/cycle-reader';

/** What the client throws when the server's query timeout passes (gRPC DEADLINE_EXCEEDED). */
function queryTimedOut(): ServiceError {
  const grpc = Object.assign(
    new Error('4 DEADLINE_EXCEEDED: query timed out before a worker could process it'),
    {
      code: 4,
    },
  );
  return new ServiceError('Failed to query Workflow', { cause: grpc });
}

/** An `ask` that fails with each of `failures` in turn, then answers `answer`. */
function asking<T>(failures: Error[], answer: T): { ask: () => Promise<T>; calls: () => number } {
  let calls = 0;
  return {
    ask: async () => {
      const failure = failures[calls++];
      if (failure) throw failure;
      return answer;
    },
    calls: () => calls,
  };
}

describe('queryPatiently', () => {
  it('answers at once when the unit answers', async () => {
    const unit = asking([], { unitId: 'u1' });
    await expect(queryPatiently(unit.ask)).resolves.toEqual({ unitId: 'u1' });
    expect(unit.calls()).toBe(1);
  });

  it('asks again after the server’s query timeout, and returns the answer', async () => {
    const unit = asking([queryTimedOut(), queryTimedOut()], { unitId: 'u2' });
    await expect(queryPatiently(unit.ask)).resolves.toEqual({ unitId: 'u2' });
    expect(unit.calls()).toBe(3);
  });

  it('gives up after the attempts it was given, with the last timeout', async () => {
    const unit = asking([queryTimedOut(), queryTimedOut(), queryTimedOut()], 'never');
    await expect(queryPatiently(unit.ask, 3)).rejects.toThrow('Failed to query Workflow');
    expect(unit.calls()).toBe(3);
  });

  it.each([
    [
      'a workflow that does not exist',
      new ServiceError('not found', { cause: Object.assign(new Error('5 NOT_FOUND'), { code: 5 }) }),
    ],
    ['a plain error', new TypeError('bad answer')],
  ])('lets %s through without asking again', async (_name, failure) => {
    const unit = asking([failure], 'never');
    await expect(queryPatiently(unit.ask)).rejects.toBe(failure);
    expect(unit.calls()).toBe(1);
  });
});
