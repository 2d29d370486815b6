using System;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary><c>Task.Delay</c> on a <see cref="TimeProvider"/>, which netstandard2.0 has only as an extension method.</summary>
internal static class Delays
{
    /// <summary>The longest delay a timer accepts, in milliseconds.</summary>
    public const double MaxDelayMilliseconds = uint.MaxValue - 2;

    public static Task Delay(TimeProvider timeProvider, TimeSpan delay, CancellationToken token) =>
#if NET8_0_OR_GREATER
        Task.Delay(delay, timeProvider, token);
#else
        timeProvider.Delay(delay, token);
#endif
}
