using System.Collections.Concurrent;
using AsyncCombinators.Tests.Infrastructure;

namespace AsyncCombinators.Tests;

public class MapTests
{
    [Fact]
    public async Task Map_Ordered_YieldsSourceOrderUnderReversedCompletion()
    {
        var probe = new OperationProbe<int>(5);
        Task<List<int>> consumer = Task.Run(async () =>
        {
            var results = new List<int>();
            await foreach (int r in Async.Map(Enumerable.Range(0, 5), (i, ct) => probe.Operations[i](ct), maxConcurrency: 5))
            {
                results.Add(r);
            }

            return results;
        });

        await Polling.Until(() => probe.StartOrder.Count == 5);
        for (int i = 4; i >= 0; i--)
        {
            probe.Completions[i].SetResult(i * 10);
        }

        (await consumer.Guard()).Should().Equal(0, 10, 20, 30, 40);
        probe.StartOrder.Should().Equal(0, 1, 2, 3, 4);
    }

    [Fact]
    public async Task Map_Unordered_YieldsCompletionOrder()
    {
        var probe = new OperationProbe<int>(3);
        await using IAsyncEnumerator<int> e = Async.Map(new[] { 0, 1, 2 }, (i, ct) => probe.Operations[i](ct), maxConcurrency: 3, ordered: false).GetAsyncEnumerator();
        probe.StartOrder.Should().BeEmpty("nothing starts before the first MoveNextAsync");

        ValueTask<bool> next = e.MoveNextAsync();
        await Polling.Until(() => probe.StartOrder.Count == 3);
        probe.Completions[2].SetResult(2);
        (await next.AsTask().Guard()).Should().BeTrue();
        e.Current.Should().Be(2);

        next = e.MoveNextAsync();
        probe.Completions[0].SetResult(0);
        (await next.AsTask().Guard()).Should().BeTrue();
        e.Current.Should().Be(0);

        next = e.MoveNextAsync();
        probe.Completions[1].SetResult(1);
        (await next.AsTask().Guard()).Should().BeTrue();
        e.Current.Should().Be(1);
        (await e.MoveNextAsync().AsTask().Guard()).Should().BeFalse();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Map_ConsumerStopsReading_SourceStopsWithinBound(bool ordered)
    {
        var source = new EndlessSource();
        int calls = 0;
        int violations = 0;
        source.OnTake = taken =>
        {
            // An item holds a slot until it is handed over, and at most `calls` items have been handed over.
            if (taken > Volatile.Read(ref calls) + 8)
            {
                Interlocked.Increment(ref violations);
            }
        };

        IAsyncEnumerator<int> e = Async.Map(source, async (i, ct) =>
        {
            await Task.Yield();
            return i;
        }, maxConcurrency: 8, ordered).GetAsyncEnumerator();

        for (int k = 0; k < 1_000; k++)
        {
            Interlocked.Increment(ref calls);
            (await e.MoveNextAsync().AsTask().Guard()).Should().BeTrue();
            if (ordered)
            {
                e.Current.Should().Be(k);
            }
        }

        // The consumer stops reading: the run fills its 8 slots and takes nothing more.
        await Polling.Until(() => source.Taken >= 1_008);
        await e.DisposeAsync().AsTask().Guard();
        source.Taken.Should().Be(1_008);
        violations.Should().Be(0);
        source.Disposed.Should().BeTrue();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Map_SelectorFailsAtPosition_CancelsRunningAndThrowsIt(int position)
    {
        var probe = new OperationProbe<int>(5);
        var boom = new InvalidOperationException("boom");
        var yielded = new List<int>();
        Task consumer = Task.Run(async () =>
        {
            await foreach (int r in Async.Map(Enumerable.Range(0, 5), (i, ct) => probe.Operations[i](ct), maxConcurrency: 5))
            {
                yielded.Add(r);
            }
        });

        await Polling.Until(() => probe.StartOrder.Count == 5);
        for (int i = 0; i < position; i++)
        {
            probe.Completions[i].SetResult(i);
        }

        probe.Completions[position].SetException(boom);

        Func<Task> act = () => consumer.Guard();
        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        probe.Running.Should().Be(0);
        for (int i = position + 1; i < 5; i++)
        {
            probe.Tokens[i].IsCancellationRequested.Should().BeTrue();
        }

        yielded.All(r => r < position).Should().BeTrue();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Map_SequentialFailureAtPosition_StartsNothingAfterIt(int position)
    {
        var started = new List<int>();
        var boom = new InvalidOperationException("boom");
        var yielded = new List<int>();
        Func<Task> act = async () =>
        {
            await foreach (int r in Async.Map(new TrackedAsyncSource(count: 5), async (i, ct) =>
            {
                started.Add(i);
                await Task.Yield();
                return i == position ? throw boom : i;
            }, maxConcurrency: 1))
            {
                yielded.Add(r);
            }
        };

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        started.Should().Equal(Enumerable.Range(0, position + 1));
        yielded.Should().Equal(Enumerable.Range(0, position));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Map_SourceFailsAtPosition_ThrowsAfterRunningSelectorsFinish(int position)
    {
        var boom = new InvalidOperationException("source");
        var probe = new OperationProbe<int>(5);
        var source = new TrackedAsyncSource(count: 5, throwAt: position, exception: boom);
        Func<Task> act = async () =>
        {
            await foreach (int r in Async.Map(source, (i, ct) => probe.Operations[i](ct), maxConcurrency: 8))
            {
            }
        };

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        probe.StartOrder.Should().Equal(Enumerable.Range(0, position));
        probe.Running.Should().Be(0);
        source.Disposed.Should().BeTrue();
    }

    public enum EarlyExit
    {
        Break,
        Throw,
        Dispose,
    }

    [Theory]
    [InlineData(EarlyExit.Break)]
    [InlineData(EarlyExit.Throw)]
    [InlineData(EarlyExit.Dispose)]
    public async Task Map_LeavingEarly_CancelsAwaitsSelectorsAndDisposesSource(EarlyExit exit)
    {
        var source = new TrackedAsyncSource();
        var probe = new OperationProbe<int>(100);
        probe.Completions[0].SetResult(0);
        IAsyncEnumerable<int> map = Async.Map(source, (i, ct) => probe.Operations[i](ct), maxConcurrency: 4);

        if (exit == EarlyExit.Dispose)
        {
            IAsyncEnumerator<int> e = map.GetAsyncEnumerator();
            (await e.MoveNextAsync().AsTask().Guard()).Should().BeTrue();
            await Polling.Until(() => probe.StartOrder.Count == 5);
            await e.DisposeAsync().AsTask().Guard();
        }
        else
        {
            Func<Task> loop = async () =>
            {
                await foreach (int r in map)
                {
                    await Polling.Until(() => probe.StartOrder.Count == 5);
                    if (exit == EarlyExit.Throw)
                    {
                        throw new FormatException("body");
                    }

                    break;
                }
            };
            if (exit == EarlyExit.Throw)
            {
                await loop.Should().ThrowAsync<FormatException>();
            }
            else
            {
                await loop().Guard();
            }
        }

        probe.Running.Should().Be(0);
        probe.StartOrder.Should().Equal(0, 1, 2, 3, 4);
        probe.Tokens.Skip(1).Take(4).Should().OnlyContain(t => t.IsCancellationRequested);
        source.Disposed.Should().BeTrue();
        source.Token.IsCancellationRequested.Should().BeTrue();
    }

    [Fact]
    public async Task Map_CancellationToken_ActsAsFailureAndThrowsOperationCanceled()
    {
        var probe = new OperationProbe<int>(3);
        using var cts = new CancellationTokenSource();
        Task consumer = Task.Run(async () =>
        {
            await foreach (int r in Async.Map(new[] { 0, 1, 2 }, (i, ct) => probe.Operations[i](ct), maxConcurrency: 2, cancellationToken: cts.Token))
            {
            }
        });
        await Polling.Until(() => probe.StartOrder.Count == 2);
        cts.Cancel();

        Func<Task> act = () => consumer.Guard();
        await act.Should().ThrowAsync<OperationCanceledException>();
        probe.Running.Should().Be(0);
        probe.Started(2).Should().BeFalse();

        using var viaWith = new CancellationTokenSource();
        var probe2 = new OperationProbe<int>(2);
        Task consumer2 = Task.Run(async () =>
        {
            await foreach (int r in Async.Map(new[] { 0, 1 }, (i, ct) => probe2.Operations[i](ct), maxConcurrency: 2).WithCancellation(viaWith.Token))
            {
            }
        });
        await Polling.Until(() => probe2.StartOrder.Count == 2);
        viaWith.Cancel();
        Func<Task> act2 = () => consumer2.Guard();
        await act2.Should().ThrowAsync<OperationCanceledException>();
        probe2.Running.Should().Be(0);
    }

    [Fact]
    public async Task Map_EachEnumeration_IsAnIndependentRun()
    {
        var counting = new TestUtil.CountingEnumerable<int>(new[] { 1, 2, 3 });
        IAsyncEnumerable<int> map = Async.Map(counting, (i, ct) => Task.FromResult(i * 2), maxConcurrency: 2);
        counting.Enumerations.Should().Be(0);
        (await Collect(map)).Should().Equal(2, 4, 6);
        (await Collect(map)).Should().Equal(2, 4, 6);
        counting.Enumerations.Should().Be(2);
    }

    [Fact]
    public async Task Map_ManyFailures_LeavesNoExceptionUnobserved()
    {
        using var monitor = new UnobservedExceptionMonitor();
        await Run(monitor);
        monitor.CollectAndGetSeen().Should().BeEmpty();

        static async Task Run(UnobservedExceptionMonitor monitor)
        {
            Func<Task> act = () => Collect(Async.Map(Enumerable.Range(0, 50), async (i, ct) =>
            {
                await Task.Yield();
                throw monitor.NewException();
#pragma warning disable CS0162
                return i;
#pragma warning restore CS0162
            }, maxConcurrency: 8, ordered: false));
            await act.Should().ThrowAsync<InvalidOperationException>();
        }
    }

    [Fact]
    public void Map_BadArguments_ThrowAtCall()
    {
        Func<int, CancellationToken, Task<int>> selector = (i, ct) => Task.FromResult(i);
        TestUtil.Call(() => Async.Map((IEnumerable<int>)null!, selector, 2)).Should().Throw<ArgumentNullException>().WithParameterName("source");
        TestUtil.Call(() => Async.Map((IAsyncEnumerable<int>)null!, selector, 2)).Should().Throw<ArgumentNullException>().WithParameterName("source");
        TestUtil.Call(() => Async.Map(new[] { 1 }, (Func<int, CancellationToken, Task<int>>)null!, 2)).Should().Throw<ArgumentNullException>().WithParameterName("selector");
        TestUtil.Call(() => Async.Map(new[] { 1 }, selector, 0)).Should().Throw<ArgumentOutOfRangeException>();
        TestUtil.Call(() => Async.Map(new[] { 1 }, selector, new ConcurrencyOptions())).Should().Throw<ArgumentException>().Which.Should().NotBeOfType<ArgumentOutOfRangeException>();
        TestUtil.Call(() => Async.Map(new TrackedAsyncSource(), selector, new ConcurrencyOptions { MaxPerSecond = 3 })).Should().Throw<ArgumentException>();
        TestUtil.Call(() => Async.Map(new[] { 1 }, selector, (ConcurrencyOptions)null!)).Should().Throw<ArgumentNullException>();
    }

    internal static async Task<List<T>> Collect<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (T item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
