using System;
using System.Threading.RateLimiting;
using AsyncCombinators.Internal;

namespace AsyncCombinators;

/// <summary>
/// How fast a combinator may start operations: at most <see cref="MaxConcurrency"/> at once, at most
/// <see cref="MaxPerSecond"/> starts a second, and one <see cref="RateLimiter"/> permit per operation (aiometer's
/// <c>max_at_once</c> and <c>max_per_second</c>). Pass it in place of <c>maxConcurrency</c> to Gather, GatherOutcomes,
/// AsCompleted over operations, Map and Merge.
/// </summary>
/// <remarks>
/// <para>Before each start the run passes three gates in this order: a concurrency slot, the <see cref="MaxPerSecond"/>
/// spacing, then a <see cref="RateLimiter"/> permit. Waiting at a gate obeys the run's token: a failure or the caller's
/// token stops the waiting at once. A limiter that ignores the token it gets in <c>AcquireAsync</c> is still waited for,
/// so that nothing the run called is left pending; a lease it grants after the stop is disposed without a start.</para>
/// <para>The options are immutable once built and may be shared by several calls; a shared <see cref="RateLimiter"/> limits
/// them together.</para>
/// </remarks>
/// <example>
/// <code>
/// var options = new ConcurrencyOptions { MaxConcurrency = 8, MaxPerSecond = 20 };
/// string[] pages = await Async.Gather(urls, (url, ct) =&gt; http.GetStringAsync(url, ct), options, cancellationToken);
/// </code>
/// </example>
public sealed class ConcurrencyOptions
{
    private readonly int? _maxConcurrency;
    private readonly double? _maxPerSecond;
    private readonly TimeProvider _timeProvider = TimeProvider.System;

    /// <summary>Gets how many operations may run at once; <see langword="null"/> (the default): no limit.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int? MaxConcurrency
    {
        get => _maxConcurrency;
        init
        {
            if (value is { } max)
            {
                Validate.MaxConcurrency(max, nameof(MaxConcurrency));
            }

            _maxConcurrency = value;
        }
    }

    /// <summary>
    /// Gets how many operations may start per second (aiometer's <c>max_per_second</c>): two consecutive starts are at least
    /// 1 / <see cref="MaxPerSecond"/> seconds apart on <see cref="TimeProvider"/>'s clock. <see langword="null"/> (the
    /// default): no limit.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a finite number greater than zero.</exception>
    public double? MaxPerSecond
    {
        get => _maxPerSecond;
        init
        {
            if (value is { } rate && !(rate > 0 && !double.IsInfinity(rate)))
            {
                ThrowHelper.ThrowArgumentOutOfRange(nameof(MaxPerSecond), rate, "The rate must be a finite number greater than zero.");
            }

            _maxPerSecond = value;
        }
    }

    /// <summary>
    /// Gets the limiter that must grant one permit before each start (any <see cref="System.Threading.RateLimiting.RateLimiter"/>,
    /// including a distributed one); <see langword="null"/> (the default): none.
    /// </summary>
    /// <remarks>
    /// The permit is acquired with <c>AcquireAsync(1, token)</c> and its lease disposed when that operation has finished.
    /// A lease that is not acquired is not a failure: the run waits for the lease's <c>RetryAfter</c> metadata when it has
    /// one (a positive <see cref="TimeSpan"/>, or a positive number of seconds), else for a back-off that grows up to one second, and asks
    /// again. A limiter that throws fails that operation as if it had thrown.
    /// </remarks>
    public RateLimiter? RateLimiter { get; init; }

    /// <summary>Gets the clock of <see cref="MaxPerSecond"/> and of the back-off after a refused permit; default <see cref="TimeProvider.System"/>.</summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        init
        {
            ThrowHelper.ThrowIfNull(value, nameof(TimeProvider));
            _timeProvider = value;
        }
    }

    /// <summary>Gets whether a start can have to wait for something other than a free slot.</summary>
    internal bool HasRateGates => _maxPerSecond is not null || RateLimiter is not null;
}
