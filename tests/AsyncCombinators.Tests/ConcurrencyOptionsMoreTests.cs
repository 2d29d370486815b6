using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using AsyncCombinators.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AsyncCombinators.Tests;

public class ConcurrencyOptionsMoreTests
{
    public enum Form
    {
        Gather,
        Map,
        Merge,
        AsCompleted,
    }

    [Fact]
    public async Task Gates_SlotThenMaxPerSecondThenRateLimiter_AcquireWaitsForBothInOrder()
    {
        var clock = new TimerCountingTimeProvider();
        DateTimeOffset origin = clock.GetUtcNow();
        int finished = 0;
        var finishedAtAcquire = new ConcurrentQueue<int>();
        var limiter = new ScriptedRateLimiter(n =>
        {
            finishedAtAcquire.Enqueue(Volatile.Read(ref finished));
            return new FixedLease(acquired: true);
        }, clock);
        var gates = Enumerable.Range(0, 3).Select(_ => TestUtil.Source<int>()).ToArray();
        int started = 0;
        var options = new ConcurrencyOptions { MaxConcurrency = 1, MaxPerSecond = 1, RateLimiter = limiter, TimeProvider = clock };

        Task<int[]> run = Task.Run(() => Async.Gather(Enumerable.Range(0, 3), async (i, ct) =>
        {
            Interlocked.Increment(ref started);
            try
            {
                return await gates[i].Task;
            }
            finally
            {
                Interlocked.Increment(ref finished);
            }
        }, options));

        await Polling.Until(() => Volatile.Read(ref started) == 1);

        // The spacing has passed, but item 0 holds the only slot: item 1 is acquired only once item 0 has finished.
        clock.Advance(TimeSpan.FromSeconds(2));
        gates[0].SetResult(0);
        await Polling.Until(() => Volatile.Read(ref started) == 2);

        // Item 1 passed the gates at 2 s, so item 2 waits for the spacing until 3 s before the limiter is asked.
        gates[1].SetResult(1);
        await Polling.Until(() => clock.ActiveTimers == 1);
        limiter.Requests.Should().HaveCount(2, "the limiter is asked only once the MaxPerSecond spacing has passed");
        clock.Advance(TimeSpan.FromSeconds(1));
        await Polling.Until(() => Volatile.Read(ref started) == 3);
        gates[2].SetResult(2);

        (await run.Guard()).Should().Equal(0, 1, 2);
        limiter.Requests.Select(r => r - origin).Should().Equal(TimeSpan.Zero, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3));
        finishedAtAcquire.Should().Equal(new[] { 0, 1, 2 }, "with one slot, item n is acquired only after item n - 1 has finished");
    }

    [Theory]
    [InlineData(Form.Map)]
    [InlineData(Form.Merge)]
    [InlineData(Form.AsCompleted)]
    public async Task Gates_MaxPerSecondAndRateLimiter_GateEveryStart(Form form)
    {
        var clock = new TimerCountingTimeProvider();
        DateTimeOffset origin = clock.GetUtcNow();
        var leases = new ConcurrentQueue<FixedLease>();
        var limiter = new ScriptedRateLimiter(_ =>
        {
            var lease = new FixedLease(acquired: true);
            leases.Enqueue(lease);
            return lease;
        }, clock);
        var options = new ConcurrencyOptions { MaxConcurrency = 8, MaxPerSecond = 1, RateLimiter = limiter, TimeProvider = clock };
        var starts = new ConcurrentQueue<TimeSpan>();
        void Record() => starts.Enqueue(clock.GetUtcNow() - origin);
        Task<int> Operation(int i)
        {
            Record();
            return Task.FromResult(i);
        }

        async IAsyncEnumerable<int> Feed(int id)
        {
            Record();
            await Task.Yield();
            yield return id;
            yield return id;
        }

        async Task<int> CountCompleted()
        {
            int count = 0;
            await foreach (var (_, task) in Async.AsCompleted(Enumerable.Range(0, 3).Select(i => (Func<CancellationToken, Task<int>>)(ct => Operation(i))), options))
            {
                await task;
                count++;
            }

            return count;
        }

        Task<int> run = form switch
        {
            Form.Map => Task.Run(async () => (await Async.Map(Enumerable.Range(0, 3), (i, ct) => Operation(i), options).Drain()).Count),
            Form.Merge => Task.Run(async () => (await Async.Merge(Enumerable.Range(0, 3).Select(Feed), options).Drain()).Count),
            _ => Task.Run(CountCompleted),
        };

        for (int k = 1; k < 3; k++)
        {
            int expected = k;
            await Polling.Until(() => starts.Count == expected && clock.ActiveTimers == 1);
            limiter.Requests.Should().HaveCount(k, "start {0} waits for the spacing before it asks the limiter", k);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        (await run.Guard()).Should().Be(form == Form.Merge ? 6 : 3);
        var expectedTimes = new[] { TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2) };
        starts.Should().Equal(expectedTimes);
        limiter.Requests.Select(r => r - origin).Should().Equal(expectedTimes, "one permit per start (for Merge: per source, not per item)");
        leases.Should().HaveCount(3).And.OnlyContain(l => l.IsDisposed);
    }

    [Theory]
    [InlineData(Form.Gather)]
    [InlineData(Form.Map)]
    public async Task RateLimiterLease_DisposedWhenItsOperationFinishesNotBefore(Form form)
    {
        var clock = new FakeTimeProvider();
        var leases = new FixedLease?[3];
        var limiter = new ScriptedRateLimiter(n => leases[n] = new FixedLease(acquired: true), clock);
        var options = new ConcurrencyOptions { MaxConcurrency = 3, RateLimiter = limiter, TimeProvider = clock };
        var gates = Enumerable.Range(0, 3).Select(_ => TestUtil.Source<int>()).ToArray();
        var disposedBeforeEnd = new bool[3];
        int started = 0;
        async Task<int> Operation(int i)
        {
            Interlocked.Increment(ref started);
            int result = await gates[i].Task;
            disposedBeforeEnd[i] = Volatile.Read(ref leases[i])!.IsDisposed;
            return result;
        }

        Task<int[]> run = form == Form.Gather
            ? Task.Run(() => Async.Gather(Enumerable.Range(0, 3), (i, ct) => Operation(i), options))
            : Task.Run(async () => (await Async.Map(Enumerable.Range(0, 3), (i, ct) => Operation(i), options).Drain()).ToArray());

        await Polling.Until(() => Volatile.Read(ref started) == 3);
        leases.Should().OnlyContain(l => l != null && !l.IsDisposed, "every operation is still running");

        // Map: item 1 holds its slot until item 0 is handed over, but its operation has finished, so its permit goes back.
        gates[1].SetResult(1);
        await Polling.Until(() => leases[1]!.IsDisposed);
        leases[0]!.IsDisposed.Should().BeFalse("operation 0 is still running");
        leases[2]!.IsDisposed.Should().BeFalse("operation 2 is still running");

        gates[0].SetResult(0);
        gates[2].SetResult(2);
        (await run.Guard()).Should().Equal(0, 1, 2);
        leases.Should().OnlyContain(l => l!.IsDisposed);
        disposedBeforeEnd.Should().OnlyContain(d => !d, "no lease is disposed while its operation runs");
    }

    [Fact]
    public async Task RateLimiterLease_AcquiredWhileGatherFails_IsDisposedWithoutStarting()
    {
        var limiter = new PendingRateLimiter();
        var gates = Enumerable.Range(0, 3).Select(_ => TestUtil.Source<int>()).ToArray();
        var startedItems = new ConcurrentQueue<int>();
        var boom = new InvalidOperationException("boom");

        Task<int[]> run = Task.Run(() => Async.Gather(Enumerable.Range(0, 3), (i, ct) =>
        {
            startedItems.Enqueue(i);
            return gates[i].Task;
        }, new ConcurrencyOptions { MaxConcurrency = 2, RateLimiter = limiter }));

        await Polling.Until(() => limiter.Requests.Count == 1);
        var lease0 = new FixedLease(acquired: true);
        limiter.Requests.Single().Answer.SetResult(lease0);
        await Polling.Until(() => limiter.Requests.Count == 2 && startedItems.Count == 1);

        // The limiter ignores the token and grants the permit only after the run has stopped.
        gates[0].SetException(boom);
        var (answer1, token1) = limiter.Requests.Last();
        await Polling.Until(() => token1.IsCancellationRequested);
        var lease1 = new FixedLease(acquired: true);
        answer1.SetResult(lease1);

        Func<Task> act = () => run.Guard();
        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        startedItems.Should().Equal(0);
        lease0.IsDisposed.Should().BeTrue();
        lease1.IsDisposed.Should().BeTrue("a permit granted after the stop is given back without starting");
        limiter.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task RateLimiterLease_AcquiredWhileMapIsCancelled_IsDisposedWithoutStarting()
    {
        var limiter = new PendingRateLimiter();
        var probe = new OperationProbe<int>(3);
        using var cts = new CancellationTokenSource();
        var source = new EndlessSource();

        await using IAsyncEnumerator<int> e = Async.Map(source, (i, ct) => probe.Operations[i](ct), new ConcurrencyOptions { MaxConcurrency = 2, RateLimiter = limiter })
            .GetAsyncEnumerator(cts.Token);
        Task<bool> next = Task.Run(() => e.MoveNextAsync().AsTask());

        await Polling.Until(() => limiter.Requests.Count == 1);
        var lease0 = new FixedLease(acquired: true);
        limiter.Requests.Single().Answer.SetResult(lease0);
        await Polling.Until(() => limiter.Requests.Count == 2 && probe.Started(0));

        cts.Cancel();
        var (answer1, token1) = limiter.Requests.Last();
        await Polling.Until(() => token1.IsCancellationRequested);
        var lease1 = new FixedLease(acquired: true);
        answer1.SetResult(lease1);

        Func<Task> act = () => next.Guard();
        await act.Should().ThrowAsync<OperationCanceledException>();
        probe.StartOrder.Should().Equal(0);
        probe.Running.Should().Be(0);
        lease0.IsDisposed.Should().BeTrue();
        lease1.IsDisposed.Should().BeTrue("a permit granted after the stop is given back without starting");
        source.Disposed.Should().BeTrue();
    }

    /// <summary>A limiter whose every request waits until the test answers it; it ignores the token, as a remote limiter may.</summary>
    private sealed class PendingRateLimiter : RateLimiter
    {
        public ConcurrentQueue<(TaskCompletionSource<RateLimitLease> Answer, CancellationToken Token)> Requests { get; } = new();

        public override TimeSpan? IdleDuration => null;

        public override RateLimiterStatistics? GetStatistics() => null;

        protected override RateLimitLease AttemptAcquireCore(int permitCount) => throw new NotSupportedException();

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        {
            TaskCompletionSource<RateLimitLease> answer = TestUtil.Source<RateLimitLease>();
            Requests.Enqueue((answer, cancellationToken));
            return new ValueTask<RateLimitLease>(answer.Task);
        }
    }
}
