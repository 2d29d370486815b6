using System;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// The rate gates of <see cref="ConcurrencyOptions"/> that a start passes after its concurrency slot: the
/// <see cref="ConcurrencyOptions.MaxPerSecond"/> spacing, then a <see cref="RateLimiter"/> permit. Used by one launcher at
/// a time, so its clock needs no synchronization.
/// </summary>
internal sealed class RateGate
{
    /// <summary>The first wait after a refused permit that carries no RetryAfter; each refusal doubles it up to <see cref="s_maxBackoff"/>.</summary>
    private static readonly TimeSpan s_firstBackoff = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest wait after a refused permit that carries no RetryAfter.</summary>
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait one timer accepts.</summary>
    private static readonly TimeSpan s_maxDelay = TimeSpan.FromMilliseconds(Delays.MaxDelayMilliseconds);

    /// <summary>The clock of the spacing and of the back-off.</summary>
    private readonly TimeProvider _timeProvider;

    /// <summary>The least distance between two starts, in <see cref="TimeProvider.GetTimestamp"/> units; 0 without MaxPerSecond.</summary>
    private readonly long _interval;

    /// <summary>The limiter that grants one permit per start, if any.</summary>
    private readonly RateLimiter? _limiter;

    /// <summary>The timestamp before which the next start must not happen (none before the first start).</summary>
    private long _nextStart = long.MinValue;

    private RateGate(ConcurrencyOptions options)
    {
        _timeProvider = SafeDisposeTimeProvider.Wrap(options.TimeProvider);
        _limiter = options.RateLimiter;
        if (options.MaxPerSecond is { } rate)
        {
            // A rate so low that the interval does not fit in a timestamp means: no second start, ever.
            double interval = _timeProvider.TimestampFrequency / rate;
            _interval = interval >= long.MaxValue ? long.MaxValue : Math.Max(1, (long)interval);
        }
    }

    /// <summary>A gate for <paramref name="options"/>, or <see langword="null"/> when they set no rate (then starts only wait for a slot).</summary>
    public static RateGate? Create(ConcurrencyOptions? options) =>
        options is { HasRateGates: true } ? new RateGate(options) : null;

    /// <summary>
    /// Waits until the next start is allowed and returns the permit's lease, to dispose when that operation has finished
    /// (<see langword="null"/> without a limiter); <see cref="OnStarting"/> then records the start. Throws
    /// <see cref="OperationCanceledException"/> when <paramref name="token"/> is cancelled while waiting, and whatever the
    /// limiter throws.
    /// </summary>
    public async ValueTask<RateLimitLease?> PassAsync(CancellationToken token)
    {
        if (_interval != 0)
        {
            long now;
            while ((now = _timeProvider.GetTimestamp()) < _nextStart)
            {
                // A low rate can space starts further apart than one timer can wait: wait in steps.
                TimeSpan wait = _timeProvider.GetElapsedTime(now, _nextStart);
                await Delays.Delay(_timeProvider, wait < s_maxDelay ? wait : s_maxDelay, token).ConfigureAwait(false);
            }
        }

        RateLimitLease? lease = null;
        if (_limiter is not null)
        {
            TimeSpan backoff = s_firstBackoff;
            while (true)
            {
                token.ThrowIfCancellationRequested();
                lease = await _limiter.AcquireAsync(1, token).ConfigureAwait(false);
                if (lease.IsAcquired)
                {
                    break;
                }

                TimeSpan wait = ReadRetryAfter(lease) ?? backoff;
                Release(lease);
                if (wait == backoff)
                {
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, s_maxBackoff.Ticks));
                }

                await Delays.Delay(_timeProvider, wait, token).ConfigureAwait(false);
            }
        }

        return lease;
    }

    /// <summary>
    /// Records that an operation starts now, after passing the gate: the spacing counts from the start itself, which can
    /// come later than the gate opened (a launcher that resumes on the caller's context waits until that context is free).
    /// </summary>
    public void OnStarting()
    {
        if (_interval != 0)
        {
            long started = _timeProvider.GetTimestamp();
            _nextStart = started > long.MaxValue - _interval ? long.MaxValue : started + _interval;
        }
    }

    /// <summary>
    /// Disposes a lease, granted or refused; a limiter that throws there must not fail the run or crash the thread (a
    /// refused lease is no failure, whatever its Dispose does).
    /// </summary>
    public static void Release(RateLimitLease? lease)
    {
        try
        {
            lease?.Dispose();
        }
        catch (Exception)
        {
        }
    }

    /// <summary>
    /// The RetryAfter metadata of a refused lease, read defensively: some limiters store a number of seconds instead of a
    /// <see cref="TimeSpan"/> (reading it as a TimeSpan would throw), and nothing a limiter stores may fail the run. A hint
    /// that is not a positive time (a window about to reset, rounded down to 0 seconds) counts as none: the back-off applies.
    /// </summary>
    internal static TimeSpan? ReadRetryAfter(RateLimitLease lease)
    {
        object? value;
        try
        {
            if (!lease.TryGetMetadata(MetadataName.RetryAfter.Name, out value))
            {
                return null;
            }
        }
        catch (Exception)
        {
            return null;
        }

        double seconds;
        switch (value)
        {
            case TimeSpan span:
                seconds = span.TotalSeconds;
                break;
            case int or long or short or uint or ulong or ushort or byte or sbyte or double or float or decimal:
                seconds = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            default:
                return null;
        }

        // A hint of no time at all is no hint: retrying at once would spin (synchronously, with a limiter that answers
        // synchronously) until the limiter grants. A huge hint is clamped to what a timer can wait.
        return double.IsNaN(seconds) || seconds <= 0
            ? null
            : TimeSpan.FromMilliseconds(Math.Min(seconds * 1000, Delays.MaxDelayMilliseconds));
    }
}
