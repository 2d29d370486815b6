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
    /// <summary>A start's stagger has elapsed: the start after it may go (nothing more when a failure has allowed it).</summary>
    private static readonly TimerCallback s_onStagger = static state =>
    {
        var (runner, starts) = (Tuple<FirstSuccessfulRunner<T>, int>)state!;
        runner.AllowStarts(starts);
    };

    private readonly TaskCompletionSource<T> _promise = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Each operation's failure, by index, for the AggregateException when all fail.</summary>
    private readonly Exception?[] _failures;

    /// <summary>The delay after a start before the next may start; infinite: only after a failure.</summary>
    private readonly TimeSpan _staggerDelay;

    /// <summary>Creates a stagger timer at each start but the last; null without a finite, non-zero delay.</summary>
    private readonly TimeProvider? _timeProvider;

    /// <summary>Guards the winner, the failures and the stagger timer.</summary>
    private readonly object _stateLock = new();

    /// <summary>The index of the first operation that succeeded, or -1.</summary>
    private int _winner = -1;

    /// <summary>The winner's value.</summary>
    private T _value = default!;

    /// <summary>What the TimeProvider threw when asked for a stagger timer, which ends the race.</summary>
    private Exception? _timerFailure;

    /// <summary>The stagger timer of the latest start, until the race has ended.</summary>
    private ITimer? _timer;

    /// <summary>Whether the race has ended, so that a timer created meanwhile is disposed at once.</summary>
    private bool _timersReleased;

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
                _timeProvider = timeProvider;
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
        // The next operation may start once the delay has passed since this one started; after the last start nothing is
        // left to stagger. Each start arms a timer of its own, as each coroutine of staggered_race waits its own delay: a
        // timer that fires while the failure of this operation starts the next allows no second start, where one timer
        // re-armed at each start could have fired already and then counted from the successor.
        if (_timeProvider is null || index == _failures.Length - 1)
        {
            return;
        }

        ITimer timer;
        try
        {
            timer = _timeProvider.CreateTimer(s_onStagger, Tuple.Create(this, index + 2), _staggerDelay, Timeout.InfiniteTimeSpan);
        }
        catch (Exception exception)
        {
            // A TimeProvider is user code: a timer that cannot be armed ends the race with its exception.
            lock (_stateLock)
            {
                _timerFailure ??= exception;
            }

            Stop();
            return;
        }

        // The timer of the previous start has fired or is moot: this start is the one it allowed, or came sooner. After
        // the race has ended, the new one goes at once.
        ITimer? done = timer;
        lock (_stateLock)
        {
            if (!_timersReleased)
            {
                done = _timer;
                _timer = timer;
            }
        }

        SafeDisposeTimeProvider.DisposeQuietly(done);
    }

    protected override bool OnOperationCompleted(int index, Task task)
    {
        bool won = false;
        bool latestFailed = false;
        lock (_stateLock)
        {
            if (task.IsSucceeded())
            {
                // Once the caller's token has stopped the race, a value is no win: an operation may answer the cancellation
                // with a fallback value, and the caller asked for OperationCanceledException (staggered_race raises
                // CancelledError).
                if (_winner < 0 && !StoppedByCaller)
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
            ReleaseTimer();
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
        ReleaseTimer();
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

    /// <summary>Disposes the stagger timer and any created after the race has ended.</summary>
    private void ReleaseTimer()
    {
        ITimer? timer;
        lock (_stateLock)
        {
            _timersReleased = true;
            timer = _timer;
            _timer = null;
        }

        SafeDisposeTimeProvider.DisposeQuietly(timer);
    }
}
