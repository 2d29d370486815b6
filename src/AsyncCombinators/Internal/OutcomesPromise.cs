using System;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// The single promise behind one GatherOutcomes call: it needs no per-input identity, since it only counts down and then
/// reads every input in input order, so one delegate serves every pending input.
/// </summary>
/// <typeparam name="TTask">The input task type.</typeparam>
/// <typeparam name="TOutcome">The outcome type.</typeparam>
internal sealed class OutcomesPromise<TTask, TOutcome> : TaskCompletionSource<TOutcome[]>
    where TTask : Task
{
    private static readonly Action<object?> s_onCanceled = static state => ((OutcomesPromise<TTask, TOutcome>)state!).OnCanceled();

    private readonly TTask[] _tasks;
    private readonly Func<TTask, TOutcome> _read;
    private readonly CancellationToken _cancellationToken;
    private CancellationTokenRegistration _registration;
    private int _remaining;

    private OutcomesPromise(TTask[] tasks, Func<TTask, TOutcome> read, CancellationToken cancellationToken)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _tasks = tasks;
        _read = read;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Reads every input's outcome in input order once they have all completed.</summary>
    public static TOutcome[] ReadAll(TTask[] tasks, Func<TTask, TOutcome> read)
    {
        var outcomes = new TOutcome[tasks.Length];
        for (int i = 0; i < tasks.Length; i++)
        {
            outcomes[i] = read(tasks[i]);
        }

        return outcomes;
    }

    /// <summary>Starts waiting for <paramref name="tasks"/>, an array owned by the promise from now on.</summary>
    public static Task<TOutcome[]> Start(TTask[] tasks, Func<TTask, TOutcome> read, CancellationToken cancellationToken)
    {
        var promise = new OutcomesPromise<TTask, TOutcome>(tasks, read, cancellationToken) { _remaining = PendingCount.Bias };
        int registered = PendingCount.AttachToPending(tasks, promise.OnInputCompleted);

        if (cancellationToken.CanBeCanceled)
        {
            promise._registration = Registrations.Register(s_onCanceled, promise, cancellationToken);
            // Stryker disable once all : race only: the last input completed the promise while it was registering.
            if (promise.Task.IsCompleted)
            {
                Registrations.Release(promise._registration);
            }
        }

        // Stryker disable once all : race only: every registered input completed before the count was settled.
        if (PendingCount.Settle(ref promise._remaining, registered))
        {
            promise.ReadAndFinish();
        }

        return promise.Task;
    }

    private void OnInputCompleted()
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            ReadAndFinish();
        }
    }

    private void ReadAndFinish()
    {
        // Read even after a cancellation: reading observes every fault.
        TOutcome[] outcomes = ReadAll(_tasks, _read);
        if (TrySetResult(outcomes))
        {
            Registrations.Release(_registration);
        }
    }

    private void OnCanceled()
    {
        // Stryker disable once all : the token has just been canceled, which already dropped this registration.
        if (TrySetCanceled(_cancellationToken))
        {
            Registrations.Release(_registration);
        }
    }
}
