using System;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// GatherOutcomes over operations: runs every operation whatever fails and reports each as an outcome, in source order.
/// Only the caller's token stops it (cancelling the running operations); the source failing stops the starts, and the
/// call then throws that exception once the started operations have finished.
/// </summary>
/// <typeparam name="TOutcome"><see cref="Outcome{T}"/> or <see cref="Outcome"/>.</typeparam>
/// <typeparam name="TKind">How outcomes are made from tasks.</typeparam>
internal sealed class OutcomesRunner<TOutcome, TKind> : OperationRunner
    where TKind : struct, IOutcomeKind<TOutcome>
{
    private readonly TaskCompletionSource<TOutcome[]> _promise = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Guards the outcomes.</summary>
    private readonly object _outcomesLock = new();

    /// <summary>The outcomes by index; grows as a lazily read source does.</summary>
    private TOutcome[] _outcomes;

    /// <summary>The source's failure, if it failed.</summary>
    private Exception? _sourceFailure;

    private OutcomesRunner(WorkSource source, int capacity, int maxConcurrency, ConcurrencyOptions? options, CancellationToken cancellationToken)
        : base(source, maxConcurrency, options, cancellationToken)
    {
        _outcomes = new TOutcome[capacity];
    }

    public static Task<TOutcome[]> Run(WorkSource source, int capacity, int maxConcurrency, ConcurrencyOptions? options, CancellationToken cancellationToken)
    {
        var runner = new OutcomesRunner<TOutcome, TKind>(source, capacity, maxConcurrency, options, cancellationToken);
        runner.Begin();
        return runner._promise.Task;
    }

    protected override bool OnOperationCompleted(int index, Task task)
    {
        TOutcome outcome = default(TKind).FromCompletedTask(task);
        lock (_outcomesLock)
        {
            Collections.EnsureCapacity(ref _outcomes, index + 1);
            _outcomes[index] = outcome;
        }

        return true;
    }

    protected override void OnSourceFailed(Exception exception)
    {
        _sourceFailure ??= exception;
        StopStarting();
    }

    protected override void OnAllStopped()
    {
        if (StoppedByCaller)
        {
            _promise.TrySetCanceled(CallerToken);
        }
        else if (_sourceFailure is not null)
        {
            _promise.TrySetException(_sourceFailure);
        }
        else
        {
            lock (_outcomesLock)
            {
                Collections.Trim(ref _outcomes, Started);
                _promise.TrySetResult(_outcomes);
            }
        }
    }
}
