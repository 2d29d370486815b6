using System;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>GatherOutcomes over cold operations: runs every operation whatever fails; only the caller's token stops it.</summary>
/// <typeparam name="T">The result type.</typeparam>
internal sealed class OutcomesRunner<T> : OperationRunner<T>
{
    private readonly TaskCompletionSource<Outcome<T>[]> _promise = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Outcome<T>[] _outcomes;

    private OutcomesRunner(Func<CancellationToken, Task<T>>[] operations, int maxConcurrency, CancellationToken cancellationToken)
        : base(operations, maxConcurrency, cancellationToken)
    {
        _outcomes = new Outcome<T>[operations.Length];
    }

    public static Task<Outcome<T>[]> Run(Func<CancellationToken, Task<T>>[] operations, int maxConcurrency, CancellationToken cancellationToken)
    {
        var runner = new OutcomesRunner<T>(operations, maxConcurrency, cancellationToken);
        runner.Begin();
        return runner._promise.Task;
    }

    protected override void OnOperationCompleted(int index, Task<T> task) => _outcomes[index] = Outcome<T>.FromCompletedTask(task);

    protected override void OnAllStopped()
    {
        if (StoppedByCaller)
        {
            _promise.TrySetCanceled(CallerToken);
        }
        else
        {
            _promise.TrySetResult(_outcomes);
        }
    }
}
