using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// Structured Gather over operations: results in source order; the first failure (a fault, a cancellation Gather did
/// not cause, or the source failing) stops the run, which ends only when every started operation has finished.
/// </summary>
/// <typeparam name="T">The result type; <see cref="VoidResult"/> for untyped operations, whose results are not kept.</typeparam>
internal sealed class GatherRunner<T> : OperationRunner
{
    private readonly TaskCompletionSource<T[]> _promise = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Guards the results, the failures and the stop reason.</summary>
    private readonly object _resultsLock = new();

    /// <summary>The results by index; grows as a lazily read source does.</summary>
    private T[] _results;

    /// <summary>Every failure so far, the first one first.</summary>
    private List<Exception>? _failures;

    /// <summary>Why the run stopped, if it did.</summary>
    private StopReason _stopReason;

    private GatherRunner(WorkSource source, int capacity, int maxConcurrency, ConcurrencyOptions? options, CancellationToken cancellationToken)
        : base(source, maxConcurrency, options, cancellationToken)
    {
        _results = typeof(T) == typeof(VoidResult) ? Array.Empty<T>() : new T[capacity];
    }

    private enum StopReason
    {
        None,
        Failure,
        CanceledOperation,
        Caller,
    }

    public static Task<T[]> Run(WorkSource source, int capacity, int maxConcurrency, ConcurrencyOptions? options, CancellationToken cancellationToken)
    {
        var runner = new GatherRunner<T>(source, capacity, maxConcurrency, options, cancellationToken);
        runner.Begin();
        return runner._promise.Task;
    }

    protected override bool OnOperationCompleted(int index, Task task)
    {
        if (task.IsSucceeded())
        {
            if (typeof(T) != typeof(VoidResult))
            {
                lock (_resultsLock)
                {
                    Collections.EnsureCapacity(ref _results, index + 1);
                    _results[index] = ((Task<T>)task).Result;
                }
            }

            return true;
        }

        bool first;
        lock (_resultsLock)
        {
            if (_stopReason != StopReason.None && CanceledOperations)
            {
                // After this run's own stop, a cancellation is what the stop caused: not a failure. Each inner exception
                // is judged on its own: an operation that returns Task.WhenAll directly can fault with such a cancellation
                // first and a real failure after it, which is kept.
                if (task.IsFaulted)
                {
                    foreach (Exception exception in task.Exception!.InnerExceptions)
                    {
                        if (exception is not OperationCanceledException)
                        {
                            (_failures ??= new List<Exception>()).Add(exception);
                        }
                    }
                }

                return true;
            }

            first = TryStop(task.IsCanceled ? StopReason.CanceledOperation : StopReason.Failure);
            if (task.IsFaulted)
            {
                (_failures ??= new List<Exception>()).AddRange(task.Exception!.InnerExceptions);
            }
        }

        if (first)
        {
            Stop();
        }

        return true;
    }

    protected override void OnSourceFailed(Exception exception)
    {
        bool first;
        lock (_resultsLock)
        {
            first = TryStop(StopReason.Failure);
            (_failures ??= new List<Exception>()).Add(exception);
        }

        if (first)
        {
            Stop();
        }
    }

    protected override void OnCallerCanceledCore()
    {
        lock (_resultsLock)
        {
            TryStop(StopReason.Caller);
        }
    }

    protected override void OnAllStopped()
    {
        lock (_resultsLock)
        {
            switch (_stopReason)
            {
                case StopReason.Failure:
                    _promise.TrySetException(_failures!);
                    break;
                case StopReason.CanceledOperation:
                    // Later faults were observed; the task can only be canceled or faulted, and the first failure decides.
                    _promise.TrySetCanceled();
                    break;
                case StopReason.Caller:
                    _promise.TrySetCanceled(CallerToken);
                    break;
                default:
                    if (typeof(T) != typeof(VoidResult))
                    {
                        Collections.Trim(ref _results, Started);
                    }

                    _promise.TrySetResult(_results);
                    break;
            }
        }
    }

    /// <summary>Records why the run stops unless it already has; returns whether it had not. Called under the lock.</summary>
    private bool TryStop(StopReason reason)
    {
        if (_stopReason != StopReason.None)
        {
            return false;
        }

        _stopReason = reason;
        return true;
    }
}
