namespace AsyncCombinators.Tests.Infrastructure;

/// <summary>
/// A TimeProvider whose clock moves only when a test calls <see cref="Advance"/>: timeouts fire exactly and take no
/// wall-clock time. A timer due at or before the current time fires at once, on the creating thread.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _lock = new();
    private readonly List<ManualTimer> _timers = new();
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Gets how many timers exist that are neither disposed nor fired (one-shot).</summary>
    public int ActiveTimers
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count(t => t.IsActive);
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
                return CreatedTimers - _disposedTimers;
            }
        }
    }

    private int _disposedTimers;

    /// <summary>Gets how many timers were ever created.</summary>
    public int CreatedTimers { get; private set; }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_lock)
        {
            _timers.Add(timer);
            CreatedTimers++;
        }

        timer.Change(dueTime, period);
        return timer;
    }

    public void Advance(TimeSpan delta)
    {
        DateTimeOffset target;
        lock (_lock)
        {
            target = _now + delta;
        }

        while (true)
        {
            ManualTimer? next;
            lock (_lock)
            {
                next = _timers.Where(t => t.IsActive && t.Due <= target).OrderBy(t => t.Due).FirstOrDefault();
                if (next is null)
                {
                    _now = target;
                    return;
                }

                _now = next.Due!.Value;
            }

            next.Fire();
        }
    }

    private void FireDue()
    {
        while (true)
        {
            ManualTimer? next;
            lock (_lock)
            {
                next = _timers.FirstOrDefault(t => t.IsActive && t.Due <= _now);
            }

            if (next is null)
            {
                return;
            }

            next.Fire();
        }
    }

    private sealed class ManualTimer : ITimer
    {
        private readonly ManualTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private bool _disposed;

        public ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
        }

        public DateTimeOffset? Due { get; private set; }

        public bool IsActive => !_disposed && Due is not null;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_owner._lock)
            {
                if (_disposed)
                {
                    return false;
                }

                _period = period;
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : _owner._now + dueTime;
                if (Due is not null && !_owner._timers.Contains(this))
                {
                    _owner._timers.Add(this);
                }
            }

            _owner.FireDue();
            return true;
        }

        public void Fire()
        {
            lock (_owner._lock)
            {
                if (!IsActive)
                {
                    return;
                }

                Due = _period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero ? null : Due + _period;
                if (Due is null)
                {
                    // A fired one-shot timer is dropped, as a real one is: the provider must not keep its state alive.
                    _owner._timers.Remove(this);
                }
            }

            _callback(_state);
        }

        public void Dispose()
        {
            lock (_owner._lock)
            {
                if (!_disposed)
                {
                    _owner._disposedTimers++;
                }

                _disposed = true;
                _owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
