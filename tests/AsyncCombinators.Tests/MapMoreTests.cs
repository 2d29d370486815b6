using System.Collections.Concurrent;
using AsyncCombinators.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AsyncCombinators.Tests;

public class MapMoreTests
{
    [Fact]
    public async Task Map_WithCancellationWhileRunning_CancelsAwaitsAndDisposesThenThrows()
    {
        var probe = new OperationProbe<int>(2);
        var source = new EndlessSource();
        using var cts = new CancellationTokenSource();
        await using IAsyncEnumerator<int> e = Async.Map(source, (i, ct) => probe.Operations[i](ct), maxConcurrency: 2).GetAsyncEnumerator(cts.Token);

        Task<bool> next = Task.Run(() => e.MoveNextAsync().AsTask());
        await Polling.Until(() => probe.Started(1));
        Task<bool> settled = next.AtCompletion(() => probe.Running == 0 && source.Disposed);
        cts.Cancel();

        Func<Task> act = () => next.Guard();
        await act.Should().ThrowAsync<OperationCanceledException>();
        (await settled).Should().BeTrue("the selectors are cancelled and awaited and the source disposed before MoveNextAsync throws");
        probe.Tokens.Should().OnlyContain(t => t.IsCancellationRequested);
        source.Taken.Should().Be(2);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public async Task Map_AlreadyCancelledToken_StartsNothingAndThrows(bool viaWithCancellation, bool asyncSource)
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var syncSource = new EndlessSource();
        var feed = new TrackingFeed(items: 100);
        int selectorCalls = 0;
        Task<int> Selector(int i, CancellationToken ct)
        {
            Interlocked.Increment(ref selectorCalls);
            return Task.FromResult(i);
        }

        CancellationToken argument = viaWithCancellation ? default : cts.Token;
        IAsyncEnumerable<int> map = asyncSource
            ? Async.Map(feed, Selector, maxConcurrency: 2, cancellationToken: argument)
            : Async.Map(syncSource, Selector, maxConcurrency: 2, cancellationToken: argument);
        IAsyncEnumerator<int> e = map.GetAsyncEnumerator(viaWithCancellation ? cts.Token : default);

        Func<Task> act = () => e.MoveNextAsync().AsTask().Guard();
        await act.Should().ThrowAsync<OperationCanceledException>();
        await e.DisposeAsync();

        selectorCalls.Should().Be(0);
        syncSource.Taken.Should().Be(0);
        feed.Moves.Should().Be(0);
        (feed.Enumerations == 0 || feed.Disposed).Should().BeTrue("a source enumerator, if made, is disposed");
    }

    /// <summary>
    /// Ordered Map: item 0 is slow and 1..7 are done, so the 8 slots are held (1..7 wait to be handed over after 0). Item 8
    /// is taken from the source only once item 0 has completed and been handed over. With items 1..7 completing
    /// synchronously, the launcher handles them in its own loop, so a Map that freed their slots early would take item 8
    /// at once, deterministically; with TaskCompletionSources the lease of each (given back when it finishes) shows that
    /// the run has seen it finish before item 0 completes.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Map_OrderedSlowFirstItem_HoldsEverySlotUntilItIsHandedOver(bool fastItemsCompleteSynchronously)
    {
        var source = new EndlessSource();
        var gates = new ConcurrentDictionary<int, TaskCompletionSource<int>>();
        TaskCompletionSource<int> Gate(int i) => gates.GetOrAdd(i, _ => TestUtil.Source<int>());
        int ninthTakeSawItemZeroComplete = -1;
        source.OnTake = taken =>
        {
            if (taken == 9)
            {
                Volatile.Write(ref ninthTakeSawItemZeroComplete, Gate(0).Task.IsCompleted ? 1 : 0);
            }
        };
        var leases = new ConcurrentDictionary<int, FixedLease>();
        var limiter = new ScriptedRateLimiter(n => leases[n] = new FixedLease(acquired: true), new FakeTimeProvider());
        Task<int> Selector(int i, CancellationToken ct) =>
            fastItemsCompleteSynchronously && i is >= 1 and <= 7 ? Task.FromResult(i) : Gate(i).Task.WaitAsync(ct);

        await using IAsyncEnumerator<int> e = Async.Map(source, Selector, new ConcurrencyOptions { MaxConcurrency = 8, RateLimiter = limiter }).GetAsyncEnumerator();
        Task<bool> first = Task.Run(() => e.MoveNextAsync().AsTask());
        await Polling.Until(() => source.Taken == 8);
        if (!fastItemsCompleteSynchronously)
        {
            await Polling.Until(() => gates.Count == 8);
            for (int i = 1; i <= 7; i++)
            {
                Gate(i).SetResult(i);
            }
        }

        await Polling.Until(() => Enumerable.Range(1, 7).All(i => leases.TryGetValue(i, out FixedLease? lease) && lease.IsDisposed));
        Gate(0).SetResult(0);

        (await first.Guard()).Should().BeTrue();
        e.Current.Should().Be(0);
        await Polling.Until(() => source.Taken == 9);
        Volatile.Read(ref ninthTakeSawItemZeroComplete).Should().Be(1, "item 8 is taken only after item 0 has completed and been handed over");

        var rest = new List<int>();
        for (int i = 1; i <= 7; i++)
        {
            (await e.MoveNextAsync().AsTask().Guard()).Should().BeTrue();
            rest.Add(e.Current);
        }

        rest.Should().Equal(1, 2, 3, 4, 5, 6, 7);
        source.Taken.Should().BeLessThanOrEqualTo(16, "at most 8 items are held");
    }

    [Fact]
    public async Task Map_BreakWhenSourceDisposeThrows_LeavingTheLoopThrowsIt()
    {
        var source = new DisposeThrowingSource(count: 10);
        var probe = new OperationProbe<int>(10);
        probe.Completions[0].SetResult(0);
        Func<Task> loop = async () =>
        {
            await foreach (int r in Async.Map(source, (i, ct) => probe.Operations[i](ct), maxConcurrency: 2))
            {
                break;
            }
        };

        (await loop.Should().ThrowAsync<FormatException>("an await foreach over the source itself would throw it")).Which.Message.Should().Be("dispose");
        source.Disposed.Should().BeTrue();
        probe.Running.Should().Be(0);
    }

    [Fact]
    public async Task Map_ConsumerWorksSynchronouslyOnAnItemStartedFromAnAsyncSource_NextItemStartsMeanwhile()
    {
        var items = System.Threading.Channels.Channel.CreateUnbounded<int>();
        using var secondStarted = new ManualResetEventSlim();
        Func<int, CancellationToken, Task<int>> selector = (item, ct) =>
        {
            if (item == 1)
            {
                secondStarted.Set();
                return TestUtil.Source<int>().Task.WaitAsync(ct);
            }

            return Task.FromResult(item);
        };

        // On the thread pool, so that the waiting consumer goes on on the thread that starts (and completes) the first item.
        bool startedMeanwhile = await Task.Run(async () =>
        {
            await using IAsyncEnumerator<int> e = Async.Map(items.Reader.ReadAllAsync(), selector, maxConcurrency: 2, ordered: false).GetAsyncEnumerator();
            ValueTask<bool> move = e.MoveNextAsync();
            move.IsCompleted.Should().BeFalse("the source has no item yet");
            Task<bool> body = WorkOnTheItem(move, secondStarted);
            items.Writer.TryWrite(0);
            items.Writer.TryWrite(1);
            bool started = await body;
            items.Writer.Complete();
            return started;
        }).Guard();

        startedMeanwhile.Should().BeTrue("a slot is free and the source has an item, whatever the consumer does with the previous result");

        static async Task<bool> WorkOnTheItem(ValueTask<bool> move, ManualResetEventSlim secondStarted)
        {
            (await move).Should().BeTrue();

            // Synchronous work in the loop body, during which the free slot must be in use.
            return secondStarted.Wait(TestUtil.HangTimeout);
        }
    }
}
