using System;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary><c>Task.Delay</c> on a <see cref="TimeProvider"/>, which netstandard2.0 has only as an extension method.</summary>
internal static class Delays
{
    /// <summary>The longest delay a timer accepts, in milliseconds.</summary>
    public const double MaxDelayMilliseconds = uint.MaxValue - 2;

    /// <summary>
    /// Waits at least <paramref name="delay"/>, rounded up to whole milliseconds: <c>Task.Delay</c> counts whole
    /// milliseconds, truncating, so a positive delay below one would complete at once, and a caller that waits for a clock
    /// reading (the rate gate) would then ask again without end on a clock that moves only when told to.
    /// </summary>
    public static Task Delay(TimeProvider timeProvider, TimeSpan delay, CancellationToken token)
    {
        long partial = delay.Ticks % TimeSpan.TicksPerMillisecond;
        if (partial > 0)
        {
            delay += TimeSpan.FromTicks(TimeSpan.TicksPerMillisecond - partial);
        }

#if NET8_0_OR_GREATER
        return Task.Delay(delay, timeProvider, token);
#else
        return timeProvider.Delay(delay, token);
#endif
    }
}
