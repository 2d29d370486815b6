using Microsoft.Extensions.Time.Testing;

namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>Which call of a <see cref="ProbeTimeProvider"/> throws.</summary>
public enum TimerFault
{
    None,
    CreateTimer,
    Change,
    Dispose,
}

/// <summary>
/// A <see cref="FakeTimeProvider"/> (time moves only through <see cref="Advance"/>) that counts its timers, so a scenario
/// can assert that none is left armed, and that can throw from CreateTimer, Change or Dispose.
/// </summary>
public sealed class ProbeTimeProvider : TimeProvider
{
    private readonly FakeTimeProvider _inner = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly object _lock = new();
    // Weak: an armed timer is held by the inner provider, as a real timer is by the runtime's timer queue; a disposed
    // or fired one must not be kept alive here, or it would keep the call that created it alive.
    private readonly List<WeakReference<ProbeTimer>> _timers = new();
    private int _created;

    public ProbeTimeProvider(TimerFault fault = TimerFault.None) => Fault = fault;

    /// <summary>Gets which call throws.</summary>
    public TimerFault Fault { get; }

    /// <summary>Gets the exception the faulty call throws.</summary>
    public InvalidOperationException InjectedException { get; } = new("injected timer fault");

    /// <summary>Gets how many timers were created.</summary>
    public int Created
    {
        get
        {
            lock (_lock)
            {
                return _created;
            }
        }
    }

    /// <summary>Gets how many timers are still armed: neither disposed, nor stopped, nor fired (one-shot).</summary>
    public int Armed
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count(t => t.TryGetTarget(out ProbeTimer? timer) && timer.IsArmedUnlocked);
            }
        }
    }

    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow();

    public override long GetTimestamp() => _inner.GetTimestamp();

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _inner.LocalTimeZone;

    /// <summary>Moves the clock, firing due timers on the calling thread.</summary>
    public void Advance(TimeSpan delta) => _inner.Advance(delta);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (Fault == TimerFault.CreateTimer)
        {
            throw InjectedException;
        }

        var timer = new ProbeTimer(this, callback, state, dueTime, period);
        lock (_lock)
        {
            _timers.RemoveAll(t => !t.TryGetTarget(out _));
            _timers.Add(new WeakReference<ProbeTimer>(timer));
            _created++;
        }

        timer.Start(_inner);
        return timer;
    }

    private sealed class ProbeTimer : ITimer
    {
        private readonly ProbeTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private ITimer? _inner;
        private bool _disposed;
        private bool _armed;
        private bool _periodic;

        public ProbeTimer(ProbeTimeProvider owner, TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
            Arm(dueTime, period);
        }

        /// <summary>Gets whether the timer is armed; the caller holds the owner's lock.</summary>
        public bool IsArmedUnlocked => _armed && !_disposed;

        public void Start(FakeTimeProvider inner)
        {
            // The inner timer may fire at once (a zero due time); the wrapper must be complete before that.
            _inner = inner.CreateTimer(static s => ((ProbeTimer)s!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            TimeSpan due;
            TimeSpan period;
            lock (_owner._lock)
            {
                if (!_armed)
                {
                    return;
                }

                due = _initialDue;
                period = _initialPeriod;
            }

            _inner.Change(due, period);
        }

        private TimeSpan _initialDue;
        private TimeSpan _initialPeriod;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (_owner.Fault == TimerFault.Change)
            {
                throw _owner.InjectedException;
            }

            lock (_owner._lock)
            {
                if (_disposed)
                {
                    return false;
                }
            }

            Arm(dueTime, period);
            return _inner?.Change(dueTime, period) ?? true;
        }

        public void Dispose()
        {
            lock (_owner._lock)
            {
                _disposed = true;
            }

            _inner?.Dispose();
            if (_owner.Fault == TimerFault.Dispose)
            {
                throw _owner.InjectedException;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }

        private void Arm(TimeSpan dueTime, TimeSpan period)
        {
            lock (_owner._lock)
            {
                _armed = dueTime != Timeout.InfiniteTimeSpan;
                _periodic = period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero;
                _initialDue = dueTime;
                _initialPeriod = period;
            }
        }

        private void Fire()
        {
            lock (_owner._lock)
            {
                if (_disposed)
                {
                    return;
                }

                if (!_periodic)
                {
                    _armed = false;
                }
            }

            _callback(_state);
        }
    }
}
