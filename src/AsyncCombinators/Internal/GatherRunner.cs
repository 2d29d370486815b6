using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// Structured Gather over cold operations: the first failure (a fault, or a cancellation Gather did not cause) stops
/// the run, which ends only when every started operation has finished.
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
internal sealed class GatherRunner<T> : OperationRunner<T>
{
    private readonly TaskCompletionSource<T[]> _promise = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly T[] _results;
    private readonly object _failuresLock = new();
    private const int StopNone = 0;
    private const int StopFailure = 1;
    private const int StopCanceledOperation = 2;
    private const int StopCaller = 3;

    private List<Exception>? _failures;
    private int _stopReason;

    private GatherRunner(Func<CancellationToken, Task<T>>[] operations, int maxConcurrency, CancellationToken cancellationToken)
        : base(operations, maxConcurrency, cancellationToken)
    {
        _results = new T[operations.Length];
    }

    public static Task<T[]> Run(Func<CancellationToken, Task<T>>[] operations, int maxConcurrency, CancellationToken cancellationToken)
    {
        var runner = new GatherRunner<T>(operations, maxConcurrency, cancellationToken);
        runner.Begin();
        return runner._promise.Task;
    }

    protected override void OnOperationCompleted(int index, Task<T> task)
    {
        if (task.IsSucceeded())
        {
            _results[index] = task.Result;
            return;
        }

        bool first;
        lock (_failuresLock)
        {
            // Stryker disable once Logical : the reason is set just before the runner cancels the token; they differ only in that moment.
            if (_stopReason != StopNone && CanceledOperations && Operations.EndedCanceled(task))
            {
                // A cancellation this run caused itself: not a failure.
                return;
            }

            first = _stopReason == StopNone;
            if (first)
            {
                _stopReason = task.IsCanceled ? StopCanceledOperation : StopFailure;
            }

            if (task.IsFaulted)
            {
                (_failures ??= new List<Exception>()).AddRange(task.Exception!.InnerExceptions);
            }
        }

        if (first)
        {
            Stop();
        }
    }

    protected override void OnCallerCanceledCore()
    {
        lock (_failuresLock)
        {
            if (_stopReason == StopNone)
            {
                _stopReason = StopCaller;
            }
        }
    }

    protected override void OnAllStopped()
    {
        lock (_failuresLock)
        {
            switch (_stopReason)
            {
                case StopFailure:
                    _promise.TrySetException(_failures!);
                    break;
                case StopCanceledOperation:
                    // Later faults were observed; the task can only be canceled or faulted, and the first failure decides.
                    _promise.TrySetCanceled();
                    break;
                case StopCaller:
                    _promise.TrySetCanceled(CallerToken);
                    break;
                default:
                    if (StoppedByCaller)
                    {
                        _promise.TrySetCanceled(CallerToken);
                    }
                    else
                    {
                        _promise.TrySetResult(_results);
                    }

                    break;
            }
        }
    }
}
