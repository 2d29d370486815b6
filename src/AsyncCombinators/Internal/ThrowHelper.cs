using System;
using System.Diagnostics.CodeAnalysis;
using System.Threading;

namespace AsyncCombinators.Internal;

/// <summary>Throw sites kept out of line so the callers stay small and inlinable.</summary>
internal static class ThrowHelper
{
    public static void ThrowIfNull([NotNull] object? argument, string paramName)
    {
        if (argument is null)
        {
            ThrowArgumentNull(paramName);
        }
    }

    [DoesNotReturn]
    public static void ThrowArgumentNull(string paramName) => throw new ArgumentNullException(paramName);

    [DoesNotReturn]
    public static void ThrowNullElement(string paramName) =>
        throw new ArgumentException("The collection must not contain null elements.", paramName);

    [DoesNotReturn]
    public static void ThrowEmpty(string paramName) =>
        throw new ArgumentException("The collection must contain at least one element.", paramName);

    /// <summary>The largest timeout a timer accepts (<see cref="uint.MaxValue"/> - 1 milliseconds, about 49.7 days).</summary>
    private const long MaxTimeoutMilliseconds = uint.MaxValue - 1;

    /// <summary>The largest timeout in ticks: every span whose whole milliseconds are at most <see cref="MaxTimeoutMilliseconds"/>.</summary>
    private const ulong MaxTimeoutTicks = ((MaxTimeoutMilliseconds + 1) * TimeSpan.TicksPerMillisecond) - 1;

    /// <summary>Accepts <see cref="Timeout.InfiniteTimeSpan"/> and every span from zero to <see cref="MaxTimeoutMilliseconds"/>, as <c>Task.WaitAsync</c> does.</summary>
    public static void ValidateTimeout(TimeSpan timeout, string paramName)
    {
        // One unsigned comparison accepts every span from zero to the largest (a negative span wraps to a huge value).
        if ((ulong)timeout.Ticks > MaxTimeoutTicks && timeout != Timeout.InfiniteTimeSpan)
        {
            ThrowTimeoutOutOfRange(timeout, paramName);
        }
    }

    [DoesNotReturn]
    private static void ThrowTimeoutOutOfRange(TimeSpan timeout, string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, timeout, "The timeout must be Timeout.InfiniteTimeSpan or between zero and UInt32.MaxValue - 1 milliseconds.");

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange(string paramName, object? actualValue, string message) =>
        throw new ArgumentOutOfRangeException(paramName, actualValue, message);

    [DoesNotReturn]
    public static void ThrowInvalidOperation(string message) => throw new InvalidOperationException(message);
}
