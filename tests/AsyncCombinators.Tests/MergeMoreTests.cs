using AsyncCombinators.Tests.Infrastructure;

namespace AsyncCombinators.Tests;

public class MergeMoreTests
{
    [Fact]
    public async Task Merge_WithCancellationWhileRunning_CancelsAndDisposesEverySourceThenThrows()
    {
        var feeds = Enumerable.Range(0, 3).Select(_ => new TrackingFeed(items: 1)).ToArray();
        using var cts = new CancellationTokenSource();
        await using IAsyncEnumerator<int> e = Async.Merge(feeds, maxConcurrency: 2).GetAsyncEnumerator(cts.Token);

        (await e.MoveNextAsync().AsTask().Guard()).Should().BeTrue();
        (await e.MoveNextAsync().AsTask().Guard()).Should().BeTrue();
        // The source of the first item taken has been asked for its next; the other is asked at the next MoveNextAsync.
        await Polling.Until(() => feeds[0].Moves + feeds[1].Moves == 3);
        Task<bool> next = e.MoveNextAsync().AsTask();
        Task<bool> settled = next.AtCompletion(() => feeds[0].Disposed && feeds[1].Disposed);
        cts.Cancel();

        Func<Task> act = () => next.Guard();
        await act.Should().ThrowAsync<OperationCanceledException>();
        (await settled).Should().BeTrue("every source being enumerated is disposed before MoveNextAsync throws");
        feeds[0].Token.IsCancellationRequested.Should().BeTrue();
        feeds[1].Token.IsCancellationRequested.Should().BeTrue();
        feeds[2].Enumerations.Should().Be(0, "no source starts after the cancellation");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Merge_AlreadyCancelledToken_EnumeratesNoSourceAndThrows(bool viaWithCancellation)
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var feeds = Enumerable.Range(0, 3).Select(_ => new TrackingFeed(items: 2)).ToArray();
        IAsyncEnumerable<int> merged = Async.Merge(feeds, cancellationToken: viaWithCancellation ? default : cts.Token);
        IAsyncEnumerator<int> e = merged.GetAsyncEnumerator(viaWithCancellation ? cts.Token : default);

        Func<Task> act = () => e.MoveNextAsync().AsTask().Guard();
        await act.Should().ThrowAsync<OperationCanceledException>();
        await e.DisposeAsync();

        feeds.Should().OnlyContain(f => f.Moves == 0 && (f.Enumerations == 0 || f.Disposed));
        feeds.Sum(f => f.Enumerations).Should().Be(0, "nothing starts under an already-cancelled token");
    }

    [Fact]
    public async Task Merge_LeavingWhileSourcesHoldItems_EnumeratesNoFurtherSource()
    {
        // Leaving closes the channel, which lets each source holding an item end and free its slot at once. The sources
        // wait for the hand-over on the caller's context; one that runs what is posted at once, with the loop left off
        // it, makes them end inside the close itself, before the run has stopped.
        var context = new InlineSynchronizationContext();
        TrackingFeed[] feeds = { new(items: 2), new(items: 2), new(items: 1) };
        IAsyncEnumerator<int> e = context.Run(() => Async.Merge(feeds, maxConcurrency: 2).GetAsyncEnumerator());

        (await TestUtil.WithoutSynchronizationContext(() => context.Run(() => e.MoveNextAsync().AsTask())).Guard()).Should().BeTrue();
        await TestUtil.WithoutSynchronizationContext(() => e.DisposeAsync().AsTask()).Guard();

        feeds[0].Disposed.Should().BeTrue();
        feeds[1].Disposed.Should().BeTrue();
        feeds[2].Enumerations.Should().Be(0, "no source starts once the consumer has left");
    }

    [Fact]
    public async Task Merge_SourceFailsWhileAnotherHoldsAnItem_EnumeratesNoFurtherSourceAndThrows()
    {
        // The failure closes the channel, which lets the source holding an item end and free its slot at once; played
        // as above, inside the close itself.
        var context = new InlineSynchronizationContext();
        var boom = new InvalidOperationException("boom");
        var holding = new TrackingFeed(items: 2);
        var failing = new PendingSource();
        var next = new TrackingFeed(items: 1);
        IAsyncEnumerator<int> e = context.Run(() => Async.Merge(new IAsyncEnumerable<int>[] { holding, failing, next }, maxConcurrency: 2).GetAsyncEnumerator());
        (await TestUtil.WithoutSynchronizationContext(() => context.Run(() => e.MoveNextAsync().AsTask())).Guard()).Should().BeTrue();

        _ = TestUtil.WithoutSynchronizationContext(() => failing.Move.TrySetException(boom));
        Func<Task> act = () => e.MoveNextAsync().AsTask().Guard();

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        await e.DisposeAsync();
        holding.Disposed.Should().BeTrue();
        next.Enumerations.Should().Be(0, "no source starts once one has failed");
    }

    [Fact]
    public async Task Merge_BreakWhenASourceDisposeThrows_LeavingTheLoopThrowsIt()
    {
        var other = new TrackingFeed(items: 0);
        var throwing = new DisposeThrowingFeed(new FormatException("dispose"));
        Func<Task> loop = async () =>
        {
            await foreach (int item in Async.Merge(new IAsyncEnumerable<int>[] { throwing, other }))
            {
                break;
            }
        };

        (await loop.Should().ThrowAsync<FormatException>("an await foreach over the source itself would throw it")).Which.Should().BeSameAs(throwing.Failure);
        other.Disposed.Should().BeTrue();
    }

    [Fact]
    public async Task Merge_BreakWhenASourceDisposeThrowsOperationCanceled_LeavingTheLoopDoesNotThrow()
    {
        var throwing = new DisposeThrowingFeed(new OperationCanceledException("cancelled by the leaving"));
        await foreach (int item in Async.Merge(new IAsyncEnumerable<int>[] { throwing }))
        {
            break;
        }

        throwing.DisposeCalls.Should().Be(1, "the cancellation the leaving caused is no failure");
    }

    [Fact]
    public async Task Merge_SourceBlockingAfterItsItem_HandsOverThatItemBeforeAskingForTheNext()
    {
        using var gate = new ManualResetEventSlim();
        try
        {
            // On the thread pool, where nothing posts the source's continuations elsewhere.
            (int First, bool AskedBeforeNextMove, List<int> Later) seen = await Task.Run(async () =>
            {
                var source = new CountingMoves<int>(BlockingAfterFirst(gate));
                await using IAsyncEnumerator<int> e = Async.Merge(new[] { source }).GetAsyncEnumerator();
                (await e.MoveNextAsync()).Should().BeTrue();
                int first = e.Current;
                bool asked = source.Moves > 1;
                gate.Set();
                var rest = new List<int>();
                while (await e.MoveNextAsync())
                {
                    rest.Add(e.Current);
                }

                return (first, asked, rest);
            }).Guard();

            seen.First.Should().Be(1, "an item taken from a source is handed over before the source takes its next step");
            seen.AskedBeforeNextMove.Should().BeFalse("a source is asked for its next item at the next MoveNextAsync, as in an await foreach over it");
            seen.Later.Should().Equal(2);
        }
        finally
        {
            gate.Set();
        }
    }

    /// <summary>Yields 1, then blocks its thread (a synchronous read, as a blocking client's) until <paramref name="gate"/> opens, then yields 2.</summary>
    private static async IAsyncEnumerable<int> BlockingAfterFirst(ManualResetEventSlim gate)
    {
        yield return 1;
        gate.Wait(CancellationToken.None);
        await Task.CompletedTask;
        yield return 2;
    }

    /// <summary>Counts the MoveNextAsync calls made on the enumerators of <paramref name="inner"/>.</summary>
    private sealed class CountingMoves<T>(IAsyncEnumerable<T> inner) : IAsyncEnumerable<T>
    {
        private int _moves;

        public int Moves => Volatile.Read(ref _moves);

        public async IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            await using IAsyncEnumerator<T> e = inner.GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                Interlocked.Increment(ref _moves);
                if (!await e.MoveNextAsync())
                {
                    yield break;
                }

                yield return e.Current;
            }
        }
    }

    /// <summary>A source whose first MoveNextAsync completes as <see cref="Move"/> does.</summary>
    private sealed class PendingSource : IAsyncEnumerable<int>, IAsyncEnumerator<int>
    {
        public TaskCompletionSource<bool> Move { get; } = TestUtil.Source<bool>();

        public int Current => 0;

        public IAsyncEnumerator<int> GetAsyncEnumerator(CancellationToken cancellationToken = default) => this;

        public ValueTask<bool> MoveNextAsync() => new(Move.Task);

        public ValueTask DisposeAsync() => default;
    }

    /// <summary>An endless source whose DisposeAsync throws <see cref="Failure"/>.</summary>
    private sealed class DisposeThrowingFeed : IAsyncEnumerable<int>, IAsyncEnumerator<int>
    {
        private int _disposeCalls;

        public DisposeThrowingFeed(Exception failure) => Failure = failure;

        public Exception Failure { get; }

        public int DisposeCalls => Volatile.Read(ref _disposeCalls);

        public int Current { get; private set; }

        public IAsyncEnumerator<int> GetAsyncEnumerator(CancellationToken cancellationToken = default) => this;

        public async ValueTask<bool> MoveNextAsync()
        {
            await Task.Yield();
            Current++;
            return true;
        }

        public ValueTask DisposeAsync()
        {
            Interlocked.Increment(ref _disposeCalls);
            return ValueTask.FromException(Failure);
        }
    }
}
