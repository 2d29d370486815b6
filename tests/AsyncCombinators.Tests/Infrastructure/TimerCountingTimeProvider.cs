using Microsoft.Extensions.Time.Testing;

namespace AsyncCombinators.Tests.Infrastructure;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also counts the timers it hands out, so a test can assert that a combinator
/// creates no timer when it needs none and disposes every timer it created. It keeps no reference to a disposed or
/// fired one-shot timer, so it never keeps a combinator's state alive.
/// </summary>
public sealed class TimerCountingTimeProvider : FakeTimeProvider
{
    private readonly object _lock = new();
    private readonly HashSet<CountedTimer> _armed = new();
    private int _created;
    private int _disposed;

    /// <summary>Gets how many timers were ever created.</summary>
    public int CreatedTimers
    {
        get
        {
            lock (_lock)
            {
                return _created;
            }
        }
    }

    /// <summary>Gets how many timers were created and not disposed yet (fired one-shot timers included).</summary>
    public int LiveTimers
    {
        get
        {
            lock (_lock)
            {
                return _created - _disposed;
            }
        }
    }

    /// <summary>Gets how many timers are neither disposed nor fired (one-shot), that is, still due to fire.</summary>
    public int ActiveTimers
    {
        get
        {
            lock (_lock)
            {
                return _armed.Count;
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new CountedTimer(this, callback, state);
        lock (_lock)
        {
            _created++;
        }

        timer.Arm(dueTime, period);

        // A timer due now fires inside this call, before the caller holds the timer, as FakeTimeProvider's own does.
        timer.Inner = base.CreateTimer(static s => ((CountedTimer)s!).Fire(), timer, dueTime, period);
        return timer;
    }

    private sealed class CountedTimer : ITimer
    {
        private readonly TimerCountingTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private bool _periodic;
        private bool _disposed;

        public CountedTimer(TimerCountingTimeProvider owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
        }

        public ITimer? Inner { get; set; }

        public void Arm(TimeSpan dueTime, TimeSpan period)
        {
            lock (_owner._lock)
            {
                if (_disposed)
                {
                    return;
                }

                _periodic = period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    _owner._armed.Remove(this);
                }
                else
                {
                    _owner._armed.Add(this);
                }
            }
        }

        public void Fire()
        {
            lock (_owner._lock)
            {
                if (!_periodic)
                {
                    _owner._armed.Remove(this);
                }
            }

            _callback(_state);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Arm(dueTime, period);
            return Inner!.Change(dueTime, period);
        }

        public void Dispose()
        {
            lock (_owner._lock)
            {
                if (!_disposed)
                {
                    _disposed = true;
                    _owner._disposed++;
                    _owner._armed.Remove(this);
                }
            }

            Inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
