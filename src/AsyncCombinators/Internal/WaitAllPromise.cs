using System;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// The promise behind Wait(AllCompleted) when nothing can end the wait early (no timeout, no cancellation): one shared
/// delegate attached to each pending input and an <see cref="Interlocked"/> countdown. No input needs to be told apart,
/// so there is no node per input, no combined task and no continuation on one: the promise is the returned task. It ends
/// only when every input has completed, so nothing of it stays attached to an input afterwards.
/// </summary>
/// <typeparam name="TTask">The input task type.</typeparam>
internal sealed class WaitAllPromise<TTask> : TaskCompletionSource<WaitResult<TTask>>
    where TTask : Task
{
    private readonly TTask[] _tasks;
    private int _remaining;

    private WaitAllPromise(TTask[] tasks)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _tasks = tasks;
    }

    /// <summary>The result when every input has completed: all of them, in input order, in Done; nothing pending.</summary>
    public static WaitResult<TTask> AllDone(TTask[] owned) =>
        new(new ReadOnlySegment<TTask>(owned, 0, owned.Length), ReadOnlySegment<TTask>.Empty);

    /// <summary>Starts waiting on <paramref name="tasks"/>, which the promise owns from now on and returns as Done.</summary>
    public static Task<WaitResult<TTask>> Start(TTask[] tasks)
    {
        var promise = new WaitAllPromise<TTask>(tasks) { _remaining = PendingCount.Bias };
        int registered = PendingCount.AttachToPending(tasks, promise.OnCompleted);

        // Stryker disable once all : race only: every registered input completed before the count was settled (Wait returns at once when all had completed at the call).
        if (PendingCount.Settle(ref promise._remaining, registered))
        {
            promise.Finish();
        }

        return promise.Task;
    }

    private void OnCompleted()
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            Finish();
        }
    }

    private void Finish() => TrySetResult(AllDone(_tasks));
}
