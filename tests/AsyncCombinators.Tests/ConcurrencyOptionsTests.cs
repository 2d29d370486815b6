using System.Threading.RateLimiting;
using AsyncCombinators.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AsyncCombinators.Tests;

public class ConcurrencyOptionsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void MaxConcurrency_LessThanOne_ThrowsArgumentOutOfRange(int value)
    {
        Action act = () => _ = new ConcurrencyOptions { MaxConcurrency = value };
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(ConcurrencyOptions.MaxConcurrency));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void MaxPerSecond_NotFinitePositive_ThrowsArgumentOutOfRange(double value)
    {
        Action act = () => _ = new ConcurrencyOptions { MaxPerSecond = value };
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(ConcurrencyOptions.MaxPerSecond));
    }

    [Fact]
    public void TimeProvider_Null_ThrowsArgumentNull()
    {
        Action act = () => _ = new ConcurrencyOptions { TimeProvider = null! };
        act.Should().Throw<ArgumentNullException>().WithParameterName(nameof(ConcurrencyOptions.TimeProvider));
    }

    [Fact]
    public void Defaults_AreUnboundedWithSystemClock()
    {
        var options = new ConcurrencyOptions { MaxConcurrency = 1, MaxPerSecond = 0.5 };
        options.MaxConcurrency.Should().Be(1);
        options.MaxPerSecond.Should().Be(0.5);
        new ConcurrencyOptions().MaxConcurrency.Should().BeNull();
        new ConcurrencyOptions().TimeProvider.Should().BeSameAs(TimeProvider.System);
    }

    [Fact]
    public async Task MaxPerSecond_OnFakeClock_NoStartBeforeTheClockAdvancesByOneOverRate()
    {
        var clock = new FakeTimeProvider();
        DateTimeOffset origin = clock.GetUtcNow();
        var starts = new List<TimeSpan>();
        var options = new ConcurrencyOptions { MaxPerSecond = 10, TimeProvider = clock };

        Task<int[]> run = Task.Run(() => Async.Gather(Enumerable.Range(0, 5), (i, ct) =>
        {
            lock (starts)
            {
                starts.Add(clock.GetUtcNow() - origin);
            }

            return Task.FromResult(i);
        }, options));

        await Polling.Until(() => Count(starts) == 1);
        while (!run.IsCompleted)
        {
            int before = Count(starts);
            clock.Advance(TimeSpan.FromMilliseconds(10));
            // Give the start that the timer released a moment to be recorded at this clock reading.
            await Task.Delay(2);
            Count(starts).Should().BeLessThanOrEqualTo(before + 1);
        }

        (await run.Guard()).Should().Equal(0, 1, 2, 3, 4);
        starts.Should().HaveCount(5);
        starts[0].Should().Be(TimeSpan.Zero);
        for (int i = 1; i < starts.Count; i++)
        {
            (starts[i] - starts[i - 1]).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(100), $"start {i} follows start {i - 1}");
        }
    }

    [Fact]
    public async Task MaxPerSecond_StartHeldUpByTheCallersContext_NextStartIsStillOneIntervalAfterIt()
    {
        var clock = new FakeTimeProvider();
        DateTimeOffset origin = clock.GetUtcNow();
        var context = new QueuedSynchronizationContext();
        var starts = new List<TimeSpan>();
        var options = new ConcurrencyOptions { MaxPerSecond = 1, TimeProvider = clock };
        var pending = TestUtil.Source<int>();

        var contexts = new List<SynchronizationContext?>();
        Task<int[]> run = context.Run(() => Async.Gather(Enumerable.Range(0, 3), (i, ct) =>
        {
            starts.Add(clock.GetUtcNow() - origin);
            contexts.Add(SynchronizationContext.Current);
            return pending.Task;
        }, options));
        starts.Should().Equal(TimeSpan.Zero);

        // The spacing has passed: the second start is posted to the caller's context, which is busy for another second.
        clock.Advance(TimeSpan.FromSeconds(1));
        await Polling.Until(() => context.Pending == 1);
        clock.Advance(TimeSpan.FromSeconds(1));
        context.RunPending();
        starts.Should().Equal(new[] { TimeSpan.Zero, TimeSpan.FromSeconds(2) }, "the third start is one interval after the second one, not after its gate opened");

        clock.Advance(TimeSpan.FromSeconds(1));
        await Polling.Until(() => context.Pending == 1);
        context.RunPending();
        starts.Should().Equal(TimeSpan.Zero, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3));

        pending.SetResult(7);
        (await run.Guard()).Should().Equal(7, 7, 7);
        contexts.Should().HaveCount(3).And.OnlyContain(c => c == context, "a start that waited at the gate still runs on the caller's context");
    }

    /// <summary>
    /// The caller blocks its context (nothing posted there runs) while the next start waits at the gate. A failure means
    /// nothing more starts there, so the run must end without the context, as the contract promises.
    /// </summary>
    [Fact]
    public async Task MaxPerSecond_FailureWhileTheNextStartWaitsAtTheGate_EndsWithoutTheCallersContext()
    {
        var clock = new FakeTimeProvider();
        var context = new QueuedSynchronizationContext();
        var options = new ConcurrencyOptions { MaxPerSecond = 1, TimeProvider = clock };
        var first = TestUtil.Source<int>();
        int started = 0;

        Task<int[]> run = context.Run(() => Async.Gather(Enumerable.Range(0, 2), (i, ct) =>
        {
            started++;
            return first.Task;
        }, options));
        started.Should().Be(1, "the second start waits for the clock");

        first.SetException(new InvalidOperationException("first failed"));

        (await FluentActions.Awaiting(() => run.Guard()).Should().ThrowAsync<InvalidOperationException>()).WithMessage("first failed");
        started.Should().Be(1);
    }

    [Fact]
    public async Task MaxPerSecond_LessThanAMillisecondLeftBeforeTheNextStart_WaitsOnTheClockWithoutSpinning()
    {
        var clock = new FakeTimeProvider();
        DateTimeOffset origin = clock.GetUtcNow();
        var starts = new List<TimeSpan>();
        var options = new ConcurrencyOptions { MaxPerSecond = 3, TimeProvider = clock };

        Task<int[]> run = Task.Run(() => Async.Gather(Enumerable.Range(0, 2), (i, ct) =>
        {
            lock (starts)
            {
                starts.Add(clock.GetUtcNow() - origin);
            }

            return Task.FromResult(i);
        }, options));
        await Polling.Until(() => Count(starts) == 1);

        // The gate's timer fires at 333 ms, a third of a millisecond before the next start may go. Timers count whole
        // milliseconds: the rest must be waited for on the clock, not retried at once until the clock moves.
        await Task.Run(() => clock.Advance(TimeSpan.FromMilliseconds(333))).Guard();
        await Task.Run(() => clock.Advance(TimeSpan.FromMilliseconds(1))).Guard();

        (await run.Guard()).Should().Equal(0, 1);
        (starts[1] - starts[0]).Should().BeGreaterThanOrEqualTo(TimeSpan.FromTicks(TimeSpan.TicksPerSecond / 3));
    }

    [Fact]
    public async Task MaxPerSecond_SpacingLongerThanOneTimer_WaitsInStepsWithoutFailing()
    {
        var clock = new TimerCountingTimeProvider();
        TimeSpan spacing = TimeSpan.FromDays(100);
        var options = new ConcurrencyOptions { MaxPerSecond = 1 / spacing.TotalSeconds, TimeProvider = clock };
        int started = 0;

        Task<int[]> run = Task.Run(() => Async.Gather(new[] { 0, 1 }, (i, ct) =>
        {
            Interlocked.Increment(ref started);
            return Task.FromResult(i);
        }, options));

        // The second start waits on a timer (one timer cannot wait 100 days); the run does not fail.
        await Polling.Until(() => clock.ActiveTimers == 1 || run.IsCompleted);
        run.IsFaulted.Should().BeFalse("a valid MaxPerSecond must not fail the run: {0}", run.Exception);
        clock.Advance(spacing - TimeSpan.FromDays(1));
        await Polling.Until(() => clock.ActiveTimers == 1 && clock.CreatedTimers == 2 || run.IsCompleted);
        Volatile.Read(ref started).Should().Be(1, "the spacing has not passed yet");

        clock.Advance(TimeSpan.FromDays(1));
        (await run.Guard()).Should().Equal(0, 1);
    }

    [Fact]
    public async Task MaxPerSecond_TooLowForATimestamp_NeverStartsASecondOperation()
    {
        var options = new ConcurrencyOptions { MaxPerSecond = 1e-14, TimeProvider = new FakeTimeProvider() };
        using var cts = new CancellationTokenSource();
        int started = 0;

        // The spacing overflows a timestamp: the second start must still wait (for ever), not happen at once.
        Task<int[]> run = Async.Gather(new[] { 0, 1 }, (i, ct) =>
        {
            Interlocked.Increment(ref started);
            return Task.FromResult(i);
        }, options, cts.Token);

        await Polling.Until(() => Volatile.Read(ref started) >= 1);
        Volatile.Read(ref started).Should().Be(1);
        cts.Cancel();
        await run.WhenSettled();
        run.IsCanceled.Should().BeTrue();
        Volatile.Read(ref started).Should().Be(1);
    }

    [Fact]
    public async Task RateLimiter_ConcurrencyLimiterSharedByTwoCalls_LimitsThemTogether()
    {
        using var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 3, QueueLimit = 100, QueueProcessingOrder = QueueProcessingOrder.OldestFirst });
        var options = new ConcurrencyOptions { RateLimiter = limiter };
        var gates = Enumerable.Range(0, 10).Select(_ => TestUtil.Source<int>()).ToArray();
        var started = new bool[10];
        int running = 0;
        int peak = 0;
        async Task<int> Operation(int i)
        {
            lock (started)
            {
                started[i] = true;
            }

            SelectorFormsTests.InterlockedMax(ref peak, Interlocked.Increment(ref running));
            try
            {
                return await gates[i].Task;
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }

        Task<int[]> runA = Task.Run(() => Async.Gather(Enumerable.Range(0, 5), (i, ct) => Operation(i), options));
        Task<int[]> runB = Task.Run(() => Async.Gather(Enumerable.Range(5, 5), (i, ct) => Operation(i), options));

        for (int done = 0; done < 10; done++)
        {
            int[] pending = Array.Empty<int>();
            await Polling.Until(() =>
            {
                lock (started)
                {
                    pending = Enumerable.Range(0, 10).Where(i => started[i] && !gates[i].Task.IsCompleted).ToArray();
                }

                return pending.Length == Math.Min(3, 10 - done);
            });
            gates[pending[0]].SetResult(pending[0]);
        }

        (await runA.Guard()).Should().Equal(0, 1, 2, 3, 4);
        (await runB.Guard()).Should().Equal(5, 6, 7, 8, 9);
        peak.Should().Be(3);
        limiter.GetStatistics()!.CurrentAvailablePermits.Should().Be(3, "every lease is disposed when its operation has finished");
    }

    public static TheoryData<object, double> RetryAfterHints => new()
    {
        { TimeSpan.FromSeconds(2), 2.0 },
        { 3, 3.0 },
    };

    [Theory]
    [MemberData(nameof(RetryAfterHints))]
    public async Task RateLimiter_RefusedLeaseWithRetryAfter_IsWaitedOutThenAskedAgain(object retryAfter, double seconds)
    {
        var clock = new FakeTimeProvider();
        DateTimeOffset origin = clock.GetUtcNow();
        var limiter = new ScriptedRateLimiter(n => new FixedLease(acquired: n > 0, retryAfter: n == 0 ? retryAfter : null), clock);
        int started = 0;
        Task run = Task.Run(() => Async.Gather(new[] { 1 }, (i, ct) => Task.FromResult(Interlocked.Increment(ref started)), new ConcurrencyOptions { RateLimiter = limiter, TimeProvider = clock }));

        await Polling.Until(() => limiter.Requests.Count == 1);
        while (!run.IsCompleted)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(2);
        }

        await run.Guard();
        started.Should().Be(1);
        limiter.Requests.Should().HaveCount(2);
        (limiter.Requests[1] - origin).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(seconds));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(0.0)]
    public async Task RateLimiter_RefusedLeaseWithRetryAfterNotPositive_BacksOffInsteadOfSpinning(object retryAfter)
    {
        // A limiter that answers synchronously and refuses until its window resets, rounding the time left down to 0 s.
        var clock = new FakeTimeProvider();
        DateTimeOffset origin = clock.GetUtcNow();
        var limiter = new ScriptedRateLimiter(n => new FixedLease(acquired: clock.GetUtcNow() - origin >= TimeSpan.FromSeconds(1), retryAfter: retryAfter), clock);
        var options = new ConcurrencyOptions { RateLimiter = limiter, TimeProvider = clock };
        using var cts = new CancellationTokenSource();
        try
        {
            // The call returns (a spin would never let it), having asked the limiter once and waiting on the clock.
            Task<int[]> run = await Task.Factory.StartNew(() => Async.Gather(new[] { 1 }, (i, ct) => Task.FromResult(i), options, cts.Token), CancellationToken.None, TaskCreationOptions.None, TaskScheduler.Default).Guard();
            limiter.Requests.Should().HaveCount(1);

            clock.Advance(TimeSpan.FromSeconds(1));
            await Polling.Until(() => limiter.Requests.Count >= 2 || run.IsCompleted);
            (await run.Guard()).Should().Equal(1);
        }
        finally
        {
            // Stops a spinning run, so that a failure leaves no thread busy.
            cts.Cancel();
        }
    }

    [Fact]
    public async Task RateLimiter_RefusedLeaseWithoutMetadata_BacksOffOnTheTimeProvider()
    {
        var clock = new FakeTimeProvider();
        var limiter = new ScriptedRateLimiter(n => new FixedLease(acquired: n >= 5), clock);
        Task run = Task.Run(() => Async.Gather(new[] { 1 }, (i, ct) => Task.FromResult(i), new ConcurrencyOptions { RateLimiter = limiter, TimeProvider = clock }));

        await Polling.Until(() => limiter.Requests.Count == 1);
        while (!run.IsCompleted)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            await Task.Delay(1);
        }

        await run.Guard();
        IReadOnlyList<DateTimeOffset> requests = limiter.Requests;
        requests.Should().HaveCount(6);
        var gaps = requests.Zip(requests.Skip(1), (x, y) => y - x).ToList();
        gaps.Should().OnlyContain(g => g > TimeSpan.Zero && g <= TimeSpan.FromSeconds(1.1));
        gaps.Last().Should().BeGreaterThan(gaps.First(), "the back-off grows");
    }

    [Fact]
    public async Task RateLimiter_RefusedLeaseWhoseDisposeThrows_IsWaitedOutAndAskedAgain()
    {
        var clock = new FakeTimeProvider();
        var limiter = new ScriptedRateLimiter(
            n => new FixedLease(acquired: n > 0, retryAfter: n == 0 ? TimeSpan.FromSeconds(1) : null, disposeFailure: n == 0 ? new InvalidOperationException("lease") : null),
            clock);

        Task<int[]> run = Async.Gather(new[] { 7 }, (i, ct) => Task.FromResult(i), new ConcurrencyOptions { RateLimiter = limiter, TimeProvider = clock });
        run.IsCompleted.Should().BeFalse("a refused lease is waited out, whatever its Dispose does");
        clock.Advance(TimeSpan.FromSeconds(1));

        (await run.Guard()).Should().Equal(7);
        limiter.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task RateLimiter_Throws_FailsThatOperation()
    {
        var clock = new FakeTimeProvider();
        var boom = new InvalidOperationException("limiter");
        var limiter = new ScriptedRateLimiter(n => n == 1 ? throw boom : new FixedLease(acquired: true), clock);
        var options = new ConcurrencyOptions { MaxConcurrency = 1, RateLimiter = limiter };

        Outcome<int>[] outcomes = await Async.GatherOutcomes(Enumerable.Range(0, 3), (i, ct) => Task.FromResult(i), options).Guard();
        outcomes.Select(o => o.IsSuccess).Should().Equal(true, false, true);
        outcomes[1].Exception.Should().BeSameAs(boom);

        var limiter2 = new ScriptedRateLimiter(n => n == 1 ? throw boom : new FixedLease(acquired: true), clock);
        var started = new List<int>();
        Func<Task> act = () => Async.Gather(Enumerable.Range(0, 3), (i, ct) =>
        {
            started.Add(i);
            return Task.FromResult(i);
        }, new ConcurrencyOptions { MaxConcurrency = 1, RateLimiter = limiter2 }).Guard();
        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        started.Should().Equal(0);
    }

    [Fact]
    public async Task RateLimiter_ThrowsOperationCanceledOfItsOwn_EndsThatOperationCanceledAsASynchronousThrowWould()
    {
        var clock = new FakeTimeProvider();
        var own = new OperationCanceledException("the limiter's own timeout");
        var limiter = new ScriptedRateLimiter(n => n == 1 ? throw own : new FixedLease(acquired: true), clock);
        Outcome<int>[] outcomes = await Async.GatherOutcomes(Enumerable.Range(0, 3), (i, ct) => Task.FromResult(i), new ConcurrencyOptions { MaxConcurrency = 1, RateLimiter = limiter }).Guard();
        outcomes.Select(o => o.IsCanceled).Should().Equal(false, true, false);

        var limiter2 = new ScriptedRateLimiter(n => n == 1 ? throw own : new FixedLease(acquired: true), clock);
        Task gather = Async.Gather(Enumerable.Range(0, 3), (i, ct) => Task.FromResult(i), new ConcurrencyOptions { MaxConcurrency = 1, RateLimiter = limiter2 });
        await gather.WhenSettled();
        gather.IsCanceled.Should().BeTrue("an operation ending canceled by itself first ends Gather canceled");
    }

    [Fact]
    public async Task RateLimiter_UnreadableRetryAfter_IsIgnoredAndBackOffApplies()
    {
        var clock = new FakeTimeProvider();
        var limiter = new ScriptedRateLimiter(n => new FixedLease(acquired: n > 0, retryAfter: n == 0 ? "soon" : null), clock);
        Task run = Task.Run(() => Async.Gather(new[] { 1 }, (i, ct) => Task.FromResult(i), new ConcurrencyOptions { RateLimiter = limiter, TimeProvider = clock }));
        await Polling.Until(() => limiter.Requests.Count == 1);
        while (!run.IsCompleted)
        {
            clock.Advance(TimeSpan.FromMilliseconds(5));
            await Task.Delay(1);
        }

        await run.Guard();
        limiter.Requests.Should().HaveCount(2);
        (limiter.Requests[1] - limiter.Requests[0]).Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThan(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Gates_CallerTokenWhileWaiting_StopsAtOnce()
    {
        var clock = new FakeTimeProvider();
        using var cts = new CancellationTokenSource();
        int started = 0;
        Task run = Task.Run(() => Async.Gather(Enumerable.Range(0, 3), (i, ct) => Task.FromResult(Interlocked.Increment(ref started)), new ConcurrencyOptions { MaxPerSecond = 1, TimeProvider = clock }, cts.Token));
        await Polling.Until(() => Volatile.Read(ref started) == 1);
        cts.Cancel();

        Func<Task> act = () => run.Guard();
        await act.Should().ThrowAsync<OperationCanceledException>();
        started.Should().Be(1);
    }

    private static int Count(List<TimeSpan> list)
    {
        lock (list)
        {
            return list.Count;
        }
    }
}
