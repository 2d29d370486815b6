using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// The enumerable of a <see cref="StreamRunner{TItem}"/>: each enumeration is an independent run, started at the first
/// MoveNextAsync; its deadline (if any) is measured, and the caller's context captured, at GetAsyncEnumerator.
/// </summary>
/// <typeparam name="TItem">What the enumeration yields.</typeparam>
internal abstract class StreamEnumerableBase<TItem> : IAsyncEnumerable<TItem>
{
    private static readonly TimerCallback s_onTimeout = static state => ((StreamRunner<TItem>)state!).TimeOut();

    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationToken _cancellationToken;

    protected StreamEnumerableBase(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        _timeout = timeout;
        _timeProvider = timeProvider;
        _cancellationToken = cancellationToken;
    }

    public IAsyncEnumerator<TItem> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        long startedAt = _timeout == Timeout.InfiniteTimeSpan ? 0 : _timeProvider.GetTimestamp();
        return EnumerateAsync(startedAt, CallerContext.Capture(), default).GetAsyncEnumerator(cancellationToken);
    }

    /// <summary>Makes the runner of one enumeration, not started yet.</summary>
    protected abstract StreamRunner<TItem> CreateRunner(CallerContext callerContext, CancellationToken token);

    private async IAsyncEnumerable<TItem> EnumerateAsync(long startedAt, CallerContext callerContext, [EnumeratorCancellation] CancellationToken enumeratorToken)
    {
        using CancellationTokenSource? linked = Cancellation.Combine(out CancellationToken token, _cancellationToken, enumeratorToken);

        StreamRunner<TItem> runner = CreateRunner(callerContext, token);
        ITimer? timer = null;

        // Whether the enumeration ends by its own throw or end, rather than by the consumer leaving the loop.
        bool ended = false;
        try
        {
            TimeSpan left = _timeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : _timeout - _timeProvider.GetElapsedTime(startedAt);
            if (_timeout != Timeout.InfiniteTimeSpan && left <= TimeSpan.Zero)
            {
                // The deadline passed before the first MoveNextAsync: nothing starts; the run only closes its source.
                runner.TimeOut();
            }
            else
            {
                runner.Start();
                if (left != Timeout.InfiniteTimeSpan)
                {
                    // Inside the try: a TimeProvider whose CreateTimer throws must still stop and await what started.
                    timer = _timeProvider.CreateTimer(s_onTimeout, runner, left, Timeout.InfiniteTimeSpan);
                }
            }

            while (true)
            {
                // A cancelled token ends the enumeration even when more items are ready.
                if (token.IsCancellationRequested)
                {
                    ended = true;
                    token.ThrowIfCancellationRequested();
                }

                switch (runner.TryTake(out TItem item, out ValueTask wait))
                {
                    case Take.Item:
                        yield return item;
                        break;
                    case Take.Wait:
                        await wait.ConfigureAwait(false);
                        break;
                    default:
                        ended = true;
                        runner.ThrowIfFailed();
                        yield break;
                }
            }
        }
        finally
        {
            try
            {
                // A TimeProvider is user code: a timer whose Dispose throws must not keep the run from being stopped and
                // awaited. Its exception still reaches the caller, after that.
                timer?.Dispose();
            }
            finally
            {
                runner.Abandon();
                await runner.AllStopped.ConfigureAwait(false);
                if (!ended)
                {
                    // The consumer left the loop: nothing else tells it that disposing the source failed.
                    runner.ThrowIfDisposeFailed();
                }
            }
        }
    }
}

/// <summary>
/// The enumerable of AsCompleted over operations and of Map: each enumeration runs over a fresh enumeration of the source.
/// </summary>
/// <typeparam name="TItem">What the enumeration yields.</typeparam>
internal sealed class StreamEnumerable<TItem> : StreamEnumerableBase<TItem>
{
    private readonly Func<WorkSource> _newSource;
    private readonly Func<int, Task, TItem> _toItem;
    private readonly bool _isMap;
    private readonly bool _ordered;
    private readonly int _maxConcurrency;
    private readonly ConcurrencyOptions? _options;

    public StreamEnumerable(Func<WorkSource> newSource, Func<int, Task, TItem> toItem, bool isMap, bool ordered, int maxConcurrency, ConcurrencyOptions? options, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
        : base(timeout, timeProvider, cancellationToken)
    {
        _newSource = newSource;
        _toItem = toItem;
        _isMap = isMap;
        _ordered = ordered;
        _maxConcurrency = maxConcurrency;
        _options = options;
    }

    protected override StreamRunner<TItem> CreateRunner(CallerContext callerContext, CancellationToken token) =>
        new OperationStreamRunner<TItem>(_newSource(), _toItem, _isMap, _ordered, _maxConcurrency, _options, callerContext, token);
}
