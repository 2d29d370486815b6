using System;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// FirstSuccessful (asyncio.staggered.staggered_race): operations start all at once, or staggered — the next when the
/// delay has passed since the latest started, or as soon as the latest fails. The first success cancels the others; the
/// run ends when every started operation has finished.
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
internal sealed class FirstSuccessfulRunner<T> : OperationRunner<T>
{
    private static readonly TimerCallback s_onStagger = static state => ((FirstSuccessfulRunner<T>)state!).OnStaggerElapsed();

    private readonly TaskCompletionSource<T> _promise = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Exception?[] _failures;
    private readonly TimeSpan _staggerDelay;
    private readonly ITimer? _timer;
    private readonly object _stateLock = new();
    private int _winner = -1;
    private T _value = default!;

    private FirstSuccessfulRunner(Func<CancellationToken, Task<T>>[] operations, TimeSpan? staggerDelay, TimeProvider timeProvider, CancellationToken cancellationToken)
        : base(operations, staggerDelay is null ? int.MaxValue : 1, cancellationToken)
    {
        _failures = new Exception?[operations.Length];
        _staggerDelay = staggerDelay ?? Timeout.InfiniteTimeSpan;
        if (staggerDelay is not null && staggerDelay.Value != Timeout.InfiniteTimeSpan && operations.Length > 1)
        {
            _timer = timeProvider.CreateTimer(s_onStagger, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    public static Task<T> Run(Func<CancellationToken, Task<T>>[] operations, TimeSpan? staggerDelay, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var runner = new FirstSuccessfulRunner<T>(operations, staggerDelay, timeProvider, cancellationToken);
        runner.ArmStagger();
        runner.Begin();
        return runner._promise.Task;
    }

    protected override void OnOperationCompleted(int index, Task<T> task)
    {
        bool won = false;
        // Stryker disable once Boolean : a success never starts another operation: either it wins and stops the run, or the run was stopped already.
        bool startNext = false;
        lock (_stateLock)
        {
            if (task.IsSucceeded())
            {
                if (_winner < 0)
                {
                    _winner = index;
                    _value = task.Result;
                    won = true;
                }
            }
            else
            {
                _failures[index] = Outcome<T>.FromCompletedTask(task).Exception;

                // The latest started operation failed: its successor starts at once.
                // Stryker disable once Equality : with a winner the run is stopped, so nothing more can start either way.
                startNext = _winner < 0 && index == Started - 1;
            }
        }

        if (won)
        {
            // Stryker disable once Statement : OnAllStopped disposes the timer too; this only stops it earlier.
            _timer?.Dispose();
            Stop();
        }
        else if (startNext && _timer is not null)
        {
            ArmStagger();
            StartNext();
        }
    }

    protected override void OnAllStopped()
    {
        _timer?.Dispose();
        lock (_stateLock)
        {
            if (_winner >= 0)
            {
                _promise.TrySetResult(_value);
            }
            else if (StoppedByCaller)
            {
                _promise.TrySetCanceled(CallerToken);
            }
            else
            {
                _promise.TrySetException(new AggregateException("Every operation failed.", _failures!));
            }
        }
    }

    private void ArmStagger() => _timer?.Change(_staggerDelay, Timeout.InfiniteTimeSpan);

    private void OnStaggerElapsed()
    {
        ArmStagger();
        StartNext();
    }
}
