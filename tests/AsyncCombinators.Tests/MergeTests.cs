using AsyncCombinators.Tests.Infrastructure;

namespace AsyncCombinators.Tests;

public class MergeTests
{
    public enum FailAt
    {
        GetAsyncEnumerator,
        MoveNextAsync,
        DisposeAsync,
    }

    /// <summary>An endless source whose items arrive only after a yield, counting what it produced and recording its disposal and token.</summary>
    private sealed class Feed : IAsyncEnumerable<int>
    {
        private readonly int _id;
        private readonly int? _count;
        private readonly Func<int, bool>? _mayProduce;

        public Feed(int id, int? count = null, Func<int, bool>? mayProduce = null)
        {
            _id = id;
            _count = count;
            _mayProduce = mayProduce;
        }

        public int Produced;
        public int Active;
        public bool Disposed;
        public bool Violated;
        public CancellationToken Token;

        public async IAsyncEnumerator<int> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            Token = cancellationToken;
            Interlocked.Increment(ref Active);
            try
            {
                for (int i = 0; _count is not { } count || i < count; i++)
                {
                    await Task.Delay(0, cancellationToken);
                    await Task.Yield();
                    int produced = Interlocked.Increment(ref Produced);
                    if (_mayProduce is not null && !_mayProduce(produced))
                    {
                        Violated = true;
                    }

                    yield return (_id * 1_000_000) + i;
                }

                // A finite feed that is not the last one keeps nothing: it ends.
            }
            finally
            {
                Interlocked.Decrement(ref Active);
                Disposed = true;
            }
        }
    }

    /// <summary>An endless feed that waits (honoring the token) after each item until it is cancelled.</summary>
    private static async IAsyncEnumerable<int> Pending(Action onDispose, Action? onStart = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        onStart?.Invoke();
        try
        {
            yield return 1;
            await Task.Delay(Timeout.Infinite, ct);
        }
        finally
        {
            onDispose();
        }
    }

    private sealed class Faulty : IAsyncEnumerable<int>, IAsyncEnumerator<int>
    {
        private readonly FailAt _where;
        private readonly Exception _exception;

        public Faulty(FailAt where, Exception exception)
        {
            _where = where;
            _exception = exception;
        }

        public int Current => 7;

        public IAsyncEnumerator<int> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
            _where == FailAt.GetAsyncEnumerator ? throw _exception : this;

        public async ValueTask<bool> MoveNextAsync()
        {
            await Task.Yield();
            return _where == FailAt.MoveNextAsync ? throw _exception : false;
        }

        public async ValueTask DisposeAsync()
        {
            await Task.Yield();
            if (_where == FailAt.DisposeAsync)
            {
                throw _exception;
            }
        }
    }

    [Fact]
    public async Task Merge_FiniteSources_YieldsEveryItemWithEachSourceInOrder()
    {
        var feeds = Enumerable.Range(1, 3).Select(id => new Feed(id, count: 50)).ToArray();
        List<int> items = await MapTests.Collect(Async.Merge(feeds));

        items.Should().HaveCount(150);
        foreach (var group in items.GroupBy(x => x / 1_000_000))
        {
            group.Select(x => x % 1_000_000).Should().Equal(Enumerable.Range(0, 50));
        }

        feeds.Should().OnlyContain(f => f.Disposed);
    }

    [Fact]
    public async Task Merge_Empty_YieldsNothing()
    {
        (await MapTests.Collect(Async.Merge(Array.Empty<IAsyncEnumerable<int>>()))).Should().BeEmpty();
    }

    [Theory]
    [InlineData(FailAt.GetAsyncEnumerator)]
    [InlineData(FailAt.MoveNextAsync)]
    [InlineData(FailAt.DisposeAsync)]
    public async Task Merge_SourceThrows_CancelsAndDisposesOthersThenThrowsIt(FailAt where)
    {
        var boom = new InvalidOperationException(where.ToString());
        int disposed = 0;
        int started = 0;
        IAsyncEnumerable<int>[] sources =
        {
            Pending(() => Interlocked.Increment(ref disposed), () => Interlocked.Increment(ref started)),
            new Faulty(where, boom),
            Pending(() => Interlocked.Increment(ref disposed), () => Interlocked.Increment(ref started)),
        };

        Func<Task> act = () => MapTests.Collect(Async.Merge(sources)).Guard();

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        started.Should().BeGreaterThanOrEqualTo(1);
        disposed.Should().Be(started, "every source that was being enumerated is disposed");
    }

    [Fact]
    public async Task Merge_ConsumerStopsReading_HoldsAtMostOneItemPerSource()
    {
        int calls = 0;
        Feed[] feeds = null!;
        feeds = Enumerable.Range(0, 3).Select(id => new Feed(id, mayProduce: _ => feeds.Sum(f => Volatile.Read(ref f.Produced)) <= Volatile.Read(ref calls) + 3)).ToArray();
        IAsyncEnumerator<int> e = Async.Merge(feeds).GetAsyncEnumerator();
        for (int k = 0; k < 300; k++)
        {
            Interlocked.Increment(ref calls);
            (await e.MoveNextAsync().AsTask().Guard()).Should().BeTrue();
        }

        // One item held by each source, except the source of the last item taken: it is asked for its next item only at the
        // next MoveNextAsync, as it would be in an await foreach over it.
        await Polling.Until(() => feeds.Sum(f => Volatile.Read(ref f.Produced)) == 302);
        await e.DisposeAsync().AsTask().Guard();

        feeds.Sum(f => f.Produced).Should().Be(302);
        feeds.Should().OnlyContain(f => !f.Violated && f.Disposed && f.Active == 0);
    }

    [Fact]
    public async Task Merge_MaxConcurrency_EnumeratesAtMostThatManySourcesInInputOrder()
    {
        var order = new List<int>();
        int active = 0;
        int peak = 0;
        async IAsyncEnumerable<int> Source(int id)
        {
            lock (order)
            {
                order.Add(id);
            }

            SelectorFormsTests.InterlockedMax(ref peak, Interlocked.Increment(ref active));
            try
            {
                for (int i = 0; i < 3; i++)
                {
                    await Task.Yield();
                    yield return id;
                }
            }
            finally
            {
                Interlocked.Decrement(ref active);
            }
        }

        List<int> items = await MapTests.Collect(Async.Merge(Enumerable.Range(0, 6).Select(Source), maxConcurrency: 2)).Guard();

        items.Should().HaveCount(18);
        order.Should().Equal(0, 1, 2, 3, 4, 5);
        peak.Should().Be(2);
    }

    [Theory]
    [InlineData(MapTests.EarlyExit.Break)]
    [InlineData(MapTests.EarlyExit.Throw)]
    [InlineData(MapTests.EarlyExit.Dispose)]
    public async Task Merge_LeavingEarly_CancelsAndDisposesEverySource(MapTests.EarlyExit exit)
    {
        int disposed = 0;
        var sources = Enumerable.Range(0, 3).Select(_ => Pending(() => Interlocked.Increment(ref disposed))).ToArray();
        IAsyncEnumerable<int> merge = Async.Merge(sources);
        if (exit == MapTests.EarlyExit.Dispose)
        {
            IAsyncEnumerator<int> e = merge.GetAsyncEnumerator();
            (await e.MoveNextAsync().AsTask().Guard()).Should().BeTrue();
            await e.DisposeAsync().AsTask().Guard();
        }
        else
        {
            Func<Task> loop = async () =>
            {
                await foreach (int item in merge)
                {
                    if (exit == MapTests.EarlyExit.Throw)
                    {
                        throw new FormatException("body");
                    }

                    break;
                }
            };
            if (exit == MapTests.EarlyExit.Throw)
            {
                await loop.Should().ThrowAsync<FormatException>();
            }
            else
            {
                await loop().Guard();
            }
        }

        disposed.Should().Be(3);
    }

    [Fact]
    public async Task Merge_CancellationToken_CancelsSourcesAndThrowsOperationCanceled()
    {
        int disposed = 0;
        using var cts = new CancellationTokenSource();
        int started = 0;
        var sources = Enumerable.Range(0, 2).Select(_ => Pending(() => Interlocked.Increment(ref disposed), () => Interlocked.Increment(ref started))).ToArray();
        Task run = Task.Run(async () =>
        {
            await foreach (int item in Async.Merge(sources, cancellationToken: cts.Token))
            {
            }
        });
        await Polling.Until(() => Volatile.Read(ref started) == 2);
        cts.Cancel();

        Func<Task> act = () => run.Guard();
        await act.Should().ThrowAsync<OperationCanceledException>();
        disposed.Should().Be(2);
    }

    [Fact]
    public async Task Merge_FailingSource_LeavesNoExceptionUnobserved()
    {
        using var monitor = new UnobservedExceptionMonitor();
        await Run(monitor);
        monitor.CollectAndGetSeen().Should().BeEmpty();

        static async Task Run(UnobservedExceptionMonitor monitor)
        {
            var sources = new IAsyncEnumerable<int>[]
            {
                new Faulty(FailAt.MoveNextAsync, monitor.NewException()),
                new Faulty(FailAt.DisposeAsync, monitor.NewException()),
                new Faulty(FailAt.MoveNextAsync, monitor.NewException()),
            };
            Func<Task> act = () => MapTests.Collect(Async.Merge(sources));
            await act.Should().ThrowAsync<InvalidOperationException>();
        }
    }

    [Fact]
    public void Merge_BadArguments_ThrowAtCall()
    {
        TestUtil.Call(() => Async.Merge((IEnumerable<IAsyncEnumerable<int>>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("sources");
        TestUtil.Call(() => Async.Merge(new IAsyncEnumerable<int>[] { null! })).Should().Throw<ArgumentException>();
        TestUtil.Call(() => Async.Merge(new[] { new Feed(0) }, maxConcurrency: 0)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
