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
internal sealed class FirstSuccessfulRunner<T> : OperationRunner
{
    private static readonly TimerCallback s_onStagger = static state => ((FirstSuccessfulRunner<T>)state!).OnStaggerElapsed();

    private readonly TaskCompletionSource<T> _promise = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Each operation's failure, by index, for the AggregateException when all fail.</summary>
    private readonly Exception?[] _failures;

    /// <summary>The delay after a start before the next may start; infinite: only after a failure.</summary>
    private readonly TimeSpan _staggerDelay;

    /// <summary>The stagger timer, armed at each start but the last (none without a finite delay).</summary>
    private readonly ITimer? _timer;

    /// <summary>Guards the winner and the failures.</summary>
    private readonly object _stateLock = new();

    /// <summary>The index of the first operation that succeeded, or -1.</summary>
    private int _winner = -1;

    /// <summary>The winner's value.</summary>
    private T _value = default!;

    /// <summary>What the stagger timer threw when it was armed, which ends the race.</summary>
    private Exception? _timerFailure;

    private FirstSuccessfulRunner(Func<CancellationToken, Task<T>>[] operations, TimeSpan? staggerDelay, TimeProvider timeProvider, CancellationToken cancellationToken)
        : base(new EnumerableSource<Func<CancellationToken, Task<T>>, T>(operations, Operations.InvokeSelf<T>.Instance), Validate.Unbounded, null, cancellationToken)
    {
        _failures = new Exception?[operations.Length];

        // A zero delay starts them one after another at once, as staggered_race(delay=0) does: no stagger at all.
        if (staggerDelay is { } delay && delay != TimeSpan.Zero)
        {
            _staggerDelay = delay;
            LimitStarts(1);
            if (delay != Timeout.InfiniteTimeSpan && operations.Length > 1)
            {
                _timer = timeProvider.CreateTimer(s_onStagger, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public static Task<T> Run(Func<CancellationToken, Task<T>>[] operations, TimeSpan? staggerDelay, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var runner = new FirstSuccessfulRunner<T>(operations, staggerDelay, timeProvider, cancellationToken);
        runner.Begin();
        return runner._promise.Task;
    }

    protected override void OnStarting(int index)
    {
        // The next operation may start once the delay has passed since this one started (each start re-arms the timer;
        // after the last start nothing is left to stagger).
        if (_timer is not null && index < _failures.Length - 1)
        {
            try
            {
                _timer.Change(_staggerDelay, Timeout.InfiniteTimeSpan);
            }
            catch (Exception exception)
            {
                // A TimeProvider is user code: a timer that cannot be armed ends the race with its exception.
                lock (_stateLock)
                {
                    _timerFailure ??= exception;
                }

                Stop();
            }
        }
    }

    protected override bool OnOperationCompleted(int index, Task task)
    {
        bool won = false;
        bool latestFailed = false;
        lock (_stateLock)
        {
            if (task.IsSucceeded())
            {
                if (_winner < 0)
                {
                    _winner = index;
                    _value = ((Task<T>)task).Result;
                    won = true;
                }
            }
            else
            {
                _failures[index] = Outcome.FromCompletedTask(task).Exception;

                // The latest started operation failed: its successor starts at once.
                latestFailed = _winner < 0 && index == Started - 1;
            }
        }

        if (won)
        {
            DisposeTimer();
            Stop();
        }
        else if (latestFailed && _staggerDelay != TimeSpan.Zero)
        {
            AllowStarts(index + 2);
        }

        return true;
    }

    protected override void OnSourceFailed(Exception exception)
    {
        // The operations are an array of the runner's own: reading it cannot fail.
        System.Diagnostics.Debug.Fail("An array source cannot fail.", exception.ToString());
    }

    protected override void OnAllStopped()
    {
        DisposeTimer();
        lock (_stateLock)
        {
            if (_timerFailure is not null && _winner < 0)
            {
                _promise.TrySetException(_timerFailure);
            }
            else if (_winner >= 0)
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

    private void OnStaggerElapsed() => AllowStarts(Started + 1);

    /// <summary>Disposes the stagger timer; what a faulty TimeProvider's timer throws there must not escape on a pool thread.</summary>
    private void DisposeTimer()
    {
        try
        {
            _timer?.Dispose();
        }
        catch (Exception)
        {
        }
    }
}
