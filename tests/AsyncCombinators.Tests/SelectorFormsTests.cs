using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using AsyncCombinators.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AsyncCombinators.Tests;

public class SelectorFormsTests
{
    private sealed class FakeHttp
    {
        public Task<string> GetStringAsync(string url, CancellationToken ct) => Task.FromResult("page:" + url);
    }

    private sealed record Row(string Line);

    private sealed record Event(string Name);

    private static Task UploadAsync(string file, CancellationToken ct) => Task.CompletedTask;

    private static Task AAsync(CancellationToken ct) => Task.CompletedTask;

    private static Task BAsync(CancellationToken ct) => Task.CompletedTask;

    private static Task<Row> ParseAsync(string line, CancellationToken ct) => Task.FromResult(new Row(line));

    private static async IAsyncEnumerable<T> Stream<T>(params T[] items)
    {
        foreach (T item in items)
        {
            await Task.Yield();
            yield return item;
        }
    }

    [Fact]
    public async Task ApiShapes_EveryV3CallShape_CompilesAndRuns()
    {
        var http = new FakeHttp();
        string[] urls = { "a", "b", "c" };
        IAsyncEnumerable<string> urlStream = Stream(urls);
        string[] files = { "f1", "f2" };
        var untypedOps = new Func<CancellationToken, Task>[] { ct => AAsync(ct), ct => BAsync(ct) };
        var ops = urls.Select(u => (Func<CancellationToken, Task<string>>)(ct => http.GetStringAsync(u, ct))).ToArray();
        IAsyncEnumerable<string> lines = Stream("l1", "l2");
        var feedA = Stream(new Event("a1"));
        var feedB = Stream(new Event("b1"));
        var feedC = Stream(new Event("c1"));
        var feeds = new[] { Stream(new Event("x")), Stream(new Event("y")) };
        var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 2, QueueLimit = 100 });
        var fakeTime = new FakeTimeProvider();
        CancellationToken ct = CancellationToken.None;
        var seen = new List<object>();

        {
            string[] pages = await Async.Gather(urls, (url, ct) => http.GetStringAsync(url, ct), maxConcurrency: 8, cancellationToken: ct);
            string[] p2    = await Async.Gather(urlStream, (url, ct) => http.GetStringAsync(url, ct), maxConcurrency: 8);   // IAsyncEnumerable<string>
            await Async.Gather(files, (file, ct) => UploadAsync(file, ct), maxConcurrency: 4);                            // selector returns Task
            Outcome<string>[] o = await Async.GatherOutcomes(urls, (url, ct) => http.GetStringAsync(url, ct), maxConcurrency: 8);
            await foreach (var (index, task) in Async.AsCompleted(urls, (url, ct) => http.GetStringAsync(url, ct), maxConcurrency: 8)) { seen.Add(await task); }
            await Async.Gather(new Func<CancellationToken, Task>[] { ct => AAsync(ct), ct => BAsync(ct) }, maxConcurrency: 2);
            Outcome[] o2 = await Async.GatherOutcomes(untypedOps, maxConcurrency: 2, cancellationToken: ct);

            pages.Should().Equal("page:a", "page:b", "page:c");
            p2.Should().Equal("page:a", "page:b", "page:c");
            o.Select(x => x.Value).Should().Equal(pages);
            o2.Should().HaveCount(2).And.OnlyContain(x => x.IsSuccess);
        }

        await foreach (var (index, task) in Async.AsCompleted(urls, (url, ct) => http.GetStringAsync(url, ct), maxConcurrency: 8, timeout: TimeSpan.FromSeconds(2))) { seen.Add(index); }
        await foreach (var (index, task) in Async.AsCompleted(ops, maxConcurrency: 8, timeout: TimeSpan.FromSeconds(2), cancellationToken: ct)) { seen.Add(index); }

        await foreach (string page in Async.Map(urls, (url, ct) => http.GetStringAsync(url, ct), maxConcurrency: 8)) { seen.Add(page); }               // source order
        await foreach (string page in Async.Map(urls, (url, ct) => http.GetStringAsync(url, ct), maxConcurrency: 8, ordered: false)) { seen.Add(page); } // completion order
        await foreach (Row row in Async.Map(lines, (line, ct) => ParseAsync(line, ct), maxConcurrency: 4, cancellationToken: ct)) { seen.Add(row); }  // IAsyncEnumerable<string> lines

        await foreach (Event e in Async.Merge(new[] { feedA, feedB, feedC })) { seen.Add(e); }                       // IEnumerable<IAsyncEnumerable<T>>
        await foreach (Event e in Async.Merge(feeds, maxConcurrency: 2, cancellationToken: ct)) { seen.Add(e); }

        {
            var options = new ConcurrencyOptions { MaxConcurrency = 8, MaxPerSecond = 20 };
            string[] pages = await Async.Gather(urls, (url, ct) => http.GetStringAsync(url, ct), options, ct);
            await foreach (string page in Async.Map(urls, (url, ct) => http.GetStringAsync(url, ct), options, ordered: true, cancellationToken: ct)) { seen.Add(page); }
            var shared = new ConcurrencyOptions { MaxConcurrency = 8, RateLimiter = limiter };   // any System.Threading.RateLimiting.RateLimiter
            var testable = new ConcurrencyOptions { MaxPerSecond = 5, TimeProvider = fakeTime };

            pages.Should().Equal("page:a", "page:b", "page:c");
            (await Async.Gather(urls, (url, ct) => http.GetStringAsync(url, ct), shared, ct)).Should().Equal(pages);
            testable.TimeProvider.Should().BeSameAs(fakeTime);
        }

        // 3 + 3 + 3 (AsCompleted, two deadlines) + 3 + 3 + 2 (Map) + 3 + 2 (Merge) + 3 (Map with options)
        seen.Should().HaveCount(25);
        seen.OfType<Event>().Select(e => e.Name).Should().BeEquivalentTo("a1", "b1", "c1", "x", "y");
    }

    [Fact]
    public async Task Gather_EndlessSourceWithMaxConcurrency8_NeverMoreThan8TakenAndUnfinished()
    {
        var source = new EndlessSource();
        int finished = 0;
        int worst = 0;
        using var cts = new CancellationTokenSource();
        source.OnTake = taken =>
        {
            int outstanding = taken - Volatile.Read(ref finished);
            InterlockedMax(ref worst, outstanding);
            if (taken == 5_000)
            {
                cts.Cancel();
            }
        };

        Task run = Task.Run(() => Async.Gather(source, async (i, ct) =>
        {
            await Task.Yield();
            Interlocked.Increment(ref finished);
            return i;
        }, maxConcurrency: 8, cancellationToken: cts.Token));

        await run.WhenSettled();
        run.IsCanceled.Should().BeTrue();
        Volatile.Read(ref worst).Should().BeInRange(1, 8);
        source.Disposed.Should().BeTrue();
    }

    [Fact]
    public async Task AsCompleted_EndlessAsyncSourceWithMaxConcurrency8_NeverMoreThan8TakenAndUnfinished()
    {
        var source = new TrackedAsyncSource();
        int started = 0;
        int finished = 0;
        int worst = 0;
        int yielded = 0;
        await foreach (var (index, task) in Async.AsCompleted(source, async (i, ct) =>
        {
            // The source has counted this item as taken before the selector runs.
            InterlockedMax(ref worst, source.Taken - Volatile.Read(ref finished));
            Interlocked.Increment(ref started);
            await Task.Yield();
            Interlocked.Increment(ref finished);
            return i;
        }, maxConcurrency: 8))
        {
            (await task).Should().Be(index);
            if (++yielded == 2_000)
            {
                break;
            }
        }

        worst.Should().BeInRange(1, 8);
        source.Disposed.Should().BeTrue();
        Volatile.Read(ref finished).Should().Be(Volatile.Read(ref started), "leaving the loop waits for every started selector");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Gather_SelectorFailsAtPosition_ThrowsItAfterRunningOnesFinishAndStartsNothingAfter(int position)
    {
        var probe = new OperationProbe<int>(5);
        var boom = new InvalidOperationException("boom");
        Task<int[]> gather = Task.Run(() => Async.Gather(Enumerable.Range(0, 5), (i, ct) => probe.Operations[i](ct), maxConcurrency: 2));

        for (int i = 0; i < position; i++)
        {
            await Polling.Until(() => probe.Started(i));
            probe.Completions[i].SetResult(i);
        }

        await Polling.Until(() => probe.Started(position));
        probe.Completions[position].SetException(boom);

        Func<Task> act = () => gather.Guard();
        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        probe.Running.Should().Be(0);
        probe.StartOrder.Should().OnlyContain(i => i <= position + 1);
        probe.StartOrder.Should().BeInAscendingOrder();
        if (position + 1 < 5 && probe.Started(position + 1))
        {
            probe.Tokens[position + 1].IsCancellationRequested.Should().BeTrue();
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Gather_SourceFailsAtPosition_CancelsRunningAndThrowsSourceFailure(int position)
    {
        var boom = new InvalidOperationException("source");
        var probe = new OperationProbe<int>(5);
        var source = new TrackedAsyncSource(count: 5, throwAt: position, exception: boom);

        Func<Task> act = () => Async.Gather(source, (i, ct) => probe.Operations[i](ct), maxConcurrency: 8).Guard();

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        probe.StartOrder.Should().Equal(Enumerable.Range(0, position));
        probe.Running.Should().Be(0);
        probe.Tokens.Take(position).All(t => t.IsCancellationRequested).Should().BeTrue();
        source.Disposed.Should().BeTrue();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task AsCompleted_SourceFailsAtPosition_YieldsEarlierThenThrowsWithNothingRunning(int position)
    {
        var boom = new InvalidOperationException("source");
        var probe = new OperationProbe<int>(5);
        var source = new TrackedAsyncSource(count: 5, throwAt: position, exception: boom);
        var yielded = new List<int>();

        Func<Task> act = async () =>
        {
            await foreach (var (index, task) in Async.AsCompleted(source, (i, ct) => probe.Operations[i](ct), maxConcurrency: 8))
            {
                yielded.Add(index);
            }
        };

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        yielded.All(i => i < position).Should().BeTrue();
        probe.StartOrder.Should().Equal(Enumerable.Range(0, position));
        probe.Running.Should().Be(0);
        source.Disposed.Should().BeTrue();
    }

    [Fact]
    public async Task GatherOutcomes_SourceFails_WaitsForStartedThenThrowsIt()
    {
        var boom = new InvalidOperationException("source");
        var probe = new OperationProbe<int>(5);
        var source = new TrackedAsyncSource(count: 5, throwAt: 2, exception: boom);

        Task<Outcome<int>[]> run = Async.GatherOutcomes(source, (i, ct) => probe.Operations[i](ct), maxConcurrency: 8);
        await Polling.Until(() => probe.Started(1));
        probe.Tokens[0].IsCancellationRequested.Should().BeFalse("GatherOutcomes runs every started operation to its end");
        probe.Completions[0].SetResult(0);
        probe.Completions[1].SetResult(1);

        Func<Task> act = () => run.Guard();
        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        probe.Running.Should().Be(0);
        source.Disposed.Should().BeTrue();
    }

    [Fact]
    public async Task GatherOutcomes_FailingSelectors_RunsEverythingAndReportsOutcomes()
    {
        Outcome<int>[] outcomes = await Async.GatherOutcomes(Enumerable.Range(0, 6), (i, ct) =>
            i % 2 == 0 ? Task.FromResult(i) : throw new InvalidOperationException("odd " + i), maxConcurrency: 2).Guard();

        outcomes.Select(o => o.IsSuccess).Should().Equal(true, false, true, false, true, false);
        outcomes[3].Exception!.Message.Should().Be("odd 3");

        Outcome[] untyped = await Async.GatherOutcomes(Lazy(0, 1), (i, ct) => i == 1 ? Task.FromException(new InvalidOperationException("x")) : Task.CompletedTask, maxConcurrency: 1).Guard();
        untyped.Select(o => o.IsSuccess).Should().Equal(true, false);
    }

    [Fact]
    public async Task Gather_UntypedSelectorAndAsyncSource_StartsInSourceOrderWithinBound()
    {
        var order = new ConcurrentQueue<int>();
        int running = 0;
        int peak = 0;
        await Async.Gather(Stream(Enumerable.Range(0, 50).ToArray()), async (i, ct) =>
        {
            order.Enqueue(i);
            InterlockedMax(ref peak, Interlocked.Increment(ref running));
            await Task.Yield();
            Interlocked.Decrement(ref running);
        }, maxConcurrency: 3).Guard();

        order.Should().Equal(Enumerable.Range(0, 50));
        peak.Should().BeInRange(1, 3);
    }

    [Fact]
    public async Task Gather_ListChangedBeforeItsLastItemIsTaken_FailsAsTheSourceFailing()
    {
        var items = new List<int> { 0, 1, 2 };
        int started = 0;

        Func<Task> act = () => Async.Gather(items, (i, _) =>
        {
            started++;
            if (i == 0)
            {
                items.Add(3);
            }

            return Task.FromResult(i);
        }, maxConcurrency: 1).Guard();

        await act.Should().ThrowAsync<InvalidOperationException>("the list's enumerator sees the change");
        started.Should().Be(1, "nothing starts after the source fails");
    }

    [Fact]
    public async Task Gather_NullItems_AreHandedToSelector()
    {
        string?[] result = await Async.Gather(new string?[] { null, "x" }, (s, ct) => Task.FromResult(s), maxConcurrency: 1).Guard();
        result.Should().Equal(null, "x");
    }

    [Fact]
    public async Task AsCompleted_UntypedSelector_YieldsIndexAndTaskInCompletionOrder()
    {
        var gates = new[] { TestUtil.Source(), TestUtil.Source(), TestUtil.Source() };
        var indices = new List<int>();
        Task consumer = Task.Run(async () =>
        {
            await foreach (var (index, task) in Async.AsCompleted(new[] { 0, 1, 2 }, (i, ct) => gates[i].Task, maxConcurrency: 3))
            {
                lock (indices)
                {
                    indices.Add(index);
                }

                await task;
                if (index == 2)
                {
                    gates[0].SetResult();
                }
                else if (index == 0)
                {
                    gates[1].SetResult();
                }
            }
        });

        gates[2].SetResult();
        await consumer.Guard();
        indices.Should().Equal(2, 0, 1);
    }

    [Fact]
    public void SelectorForms_NullSourceOrSelector_ThrowArgumentNullExceptionAtCall()
    {
        IEnumerable<int> nullSource = null!;
        IAsyncEnumerable<int> nullAsync = null!;
        Func<int, CancellationToken, Task<int>> nullSelector = null!;
        Func<int, CancellationToken, Task> nullUntyped = null!;
        Func<int, CancellationToken, Task<int>> selector = (i, ct) => Task.FromResult(i);

        TestUtil.Call(() => Async.Gather(nullSource, selector, 2)).Should().Throw<ArgumentNullException>().WithParameterName("source");
        TestUtil.Call(() => Async.Gather(nullAsync, selector, 2)).Should().Throw<ArgumentNullException>().WithParameterName("source");
        TestUtil.Call(() => Async.Gather(new[] { 1 }, nullSelector, 2)).Should().Throw<ArgumentNullException>().WithParameterName("selector");
        TestUtil.Call(() => Async.Gather(new[] { 1 }, nullUntyped, 2)).Should().Throw<ArgumentNullException>().WithParameterName("selector");
        TestUtil.Call(() => Async.GatherOutcomes(nullSource, selector, 2)).Should().Throw<ArgumentNullException>();
        TestUtil.Call(() => Async.GatherOutcomes(Stream(1), nullUntyped, 2)).Should().Throw<ArgumentNullException>();
        TestUtil.Call(() => Async.AsCompleted(nullSource, selector, 2)).Should().Throw<ArgumentNullException>();
        TestUtil.Call(() => Async.AsCompleted(Stream(1), nullSelector, 2)).Should().Throw<ArgumentNullException>();
        TestUtil.Call(() => Async.Gather(new[] { 1 }, selector, 0)).Should().Throw<ArgumentOutOfRangeException>();
        TestUtil.Call(() => Async.Gather(new[] { 1 }, selector, (ConcurrencyOptions)null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public async Task Gather_TwoThousandOperationsCompletedFromSeveralThreads_StartInInputOrder()
    {
        var order = new ConcurrentQueue<int>();
        int[] result = await Task.Run(() => Async.Gather(Enumerable.Range(0, 2_000), (i, ct) =>
        {
            order.Enqueue(i);
            return Task.Run(() => i);
        }, maxConcurrency: 8)).Guard();

        result.Should().Equal(Enumerable.Range(0, 2_000));
        order.Should().Equal(Enumerable.Range(0, 2_000));
    }

    [Fact]
    public async Task Gather_ManyFailures_LeavesNoExceptionUnobserved()
    {
        using var monitor = new UnobservedExceptionMonitor();
        await RunAndForget(monitor);
        monitor.CollectAndGetSeen().Should().BeEmpty();

        static async Task RunAndForget(UnobservedExceptionMonitor monitor)
        {
            Func<Task> act = () => Async.Gather(Enumerable.Range(0, 20), async (i, ct) =>
            {
                await Task.Yield();
                throw monitor.NewException();
            }, maxConcurrency: 4);
            await act.Should().ThrowAsync<InvalidOperationException>();

            Func<Task> source = async () =>
            {
                await foreach (var (_, task) in Async.AsCompleted(new TrackedAsyncSource(count: 10, throwAt: 5, exception: monitor.NewException()), async (i, ct) =>
                {
                    await Task.Yield();
                    throw monitor.NewException();
                }, maxConcurrency: 4))
                {
                }
            };
            await source.Should().ThrowAsync<InvalidOperationException>();
        }
    }

    [Fact]
    public async Task AsCompleted_BreakWhenSourceDisposeThrows_LeavingTheLoopThrowsIt()
    {
        var source = new DisposeThrowingSource(count: 10);
        var probe = new OperationProbe<int>(10);
        probe.Completions[0].SetResult(0);
        Func<Task> loop = async () =>
        {
            await foreach (var (index, task) in Async.AsCompleted(source, (i, ct) => probe.Operations[i](ct), maxConcurrency: 2))
            {
                break;
            }
        };

        (await loop.Should().ThrowAsync<FormatException>("an await foreach over the source itself would throw it")).Which.Message.Should().Be("dispose");
        source.Disposed.Should().BeTrue();
        probe.Running.Should().Be(0);
    }

    internal static void InterlockedMax(ref int target, int value)
    {
        int current = Volatile.Read(ref target);
        while (value > current)
        {
            int seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private static IEnumerable<int> Lazy(params int[] items) => TestUtil.Lazy(items);
}
