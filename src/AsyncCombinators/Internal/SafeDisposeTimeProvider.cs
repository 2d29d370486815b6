using System;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// A caller's <see cref="TimeProvider"/> whose timers never throw from Dispose. <c>Task.WaitAsync</c> and <c>Task.Delay</c>
/// dispose their timer in a continuation of their own, where a throwing Dispose would escape on a pool thread and end the
/// process; a TimeProvider is user code, and its fault must not outlive the call that used it.
/// </summary>
internal sealed class SafeDisposeTimeProvider : TimeProvider
{
    /// <summary>The caller's provider.</summary>
    private readonly TimeProvider _inner;

    private SafeDisposeTimeProvider(TimeProvider inner)
    {
        _inner = inner;
    }

    public override TimeZoneInfo LocalTimeZone => _inner.LocalTimeZone;

    public override long TimestampFrequency => _inner.TimestampFrequency;

    /// <summary>Wraps <paramref name="timeProvider"/>, unless it is the system clock, whose timers do not throw.</summary>
    public static TimeProvider Wrap(TimeProvider timeProvider) =>
        ReferenceEquals(timeProvider, System) ? timeProvider : new SafeDisposeTimeProvider(timeProvider);

    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow();

    public override long GetTimestamp() => _inner.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new SafeDisposeTimer(_inner.CreateTimer(callback, state, dueTime, period));

    /// <summary>Disposes a caller's timer, swallowing what it throws: it must neither escape on a pool thread nor keep a wait from ending.</summary>
    public static void DisposeQuietly(ITimer? timer)
    {
        try
        {
            timer?.Dispose();
        }
        catch (Exception)
        {
        }
    }

    /// <summary>A timer whose Dispose swallows what the caller's timer throws.</summary>
    private sealed class SafeDisposeTimer : ITimer
    {
        private readonly ITimer _inner;

        public SafeDisposeTimer(ITimer inner)
        {
            _inner = inner;
        }

        public bool Change(TimeSpan dueTime, TimeSpan period) => _inner.Change(dueTime, period);

        public void Dispose() => DisposeQuietly(_inner);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
