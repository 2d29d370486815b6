using System.Runtime.CompilerServices;
using AsyncCombinators.Tests.Infrastructure;
using static AsyncCombinators.Tests.Infrastructure.TestUtil;

namespace AsyncCombinators.Tests;

public class GatherOperationsTests
{
    [Fact]
    public async Task Gather_Operations_StartInInputOrder_ResultsInInputOrder()
    {
        var probe = new OperationProbe<int>(4);
        Task<int[]> gather = Async.Gather(probe.Operations);
        probe.StartOrder.Should().Equal(0, 1, 2, 3);
        foreach (int i in new[] { 3, 1, 0, 2 })
        {
            probe.Completions[i].SetResult(i * 2);
        }

        (await gather.Guard()).Should().Equal(0, 2, 4, 6);
    }

    [Fact]
    public async Task Gather_Operations_MaxConcurrency_NextStartsWhenOneCompletes()
    {
        var probe = new OperationProbe<int>(5);
        Task<int[]> gather = Async.Gather(probe.Operations, maxConcurrency: 2);
        probe.StartOrder.Should().Equal(0, 1);
        probe.Completions[1].SetResult(1);
        await WaitUntil(() => probe.StartOrder.Count == 3);
        probe.StartOrder.Should().Equal(0, 1, 2);
        probe.Completions[0].SetResult(0);
        probe.Completions[2].SetResult(2);
        await WaitUntil(() => probe.StartOrder.Count == 5);
        probe.Completions[3].SetResult(3);
        probe.Completions[4].SetResult(4);
        (await gather.Guard()).Should().Equal(0, 1, 2, 3, 4);
        probe.Peak.Should().Be(2);
    }

    [Fact]
    public async Task Gather_Operations_FirstFailure_CancelsSiblingsStartsNothingWaitsThenThrows()
    {
        var probe = new OperationProbe<int>(5, honorCancellation: false);
        var error = new FormatException("op 1 failed");
        Task<int[]> gather = Async.Gather(probe.Operations, maxConcurrency: 3);
        Task<bool> startedEndedFirst = gather.AtCompletion(() => probe.Completions[0].Task.IsCompleted && probe.Completions[2].Task.IsCompleted);

        probe.Completions[1].SetException(error);
        await WaitUntil(() => probe.Tokens[0].IsCancellationRequested);
        probe.Tokens[2].IsCancellationRequested.Should().BeTrue();
        probe.StartOrder.Should().Equal(0, 1, 2);

        probe.Completions[0].SetCanceled(probe.Tokens[0]);  // caused by Gather: not reported
        probe.Completions[2].SetException(new InvalidOperationException("op 2 failed too"));

        var thrown = await FluentActions.Awaiting(() => gather.Guard()).Should().ThrowAsync<FormatException>();
        (await startedEndedFirst).Should().BeTrue("Gather waits for the started operations");
        thrown.Which.Should().BeSameAs(error);
        gather.Exception!.InnerExceptions.Select(e => e.Message).Should().Equal("op 1 failed", "op 2 failed too");
        probe.Started(3).Should().BeFalse();
        probe.Started(4).Should().BeFalse();
        probe.Running.Should().Be(0);
    }

    [Fact]
    public async Task Gather_Operations_SynchronousThrow_CountsAsFault_NoLaterOperationStarts()
    {
        var started = new List<int>();
        Func<CancellationToken, Task<int>> Op(int i) => ct =>
        {
            started.Add(i);
            if (i == 2)
            {
                throw new FormatException("sync");
            }

            return Task.FromResult(i);
        };

        Task<int[]> gather = Async.Gather(Enumerable.Range(0, 6).Select(Op));

        await FluentActions.Awaiting(() => gather.Guard()).Should().ThrowAsync<FormatException>();
        started.Should().Equal(0, 1, 2);
    }

    [Fact]
    public async Task Gather_Operations_FirstFailureIsCancellation_EndsCanceledAndLaterFaultsObserved()
    {
        using var monitor = new UnobservedExceptionMonitor();
        await Run(monitor);
        monitor.CollectAndGetSeen().Should().BeEmpty();

        [MethodImpl(MethodImplOptions.NoInlining)]
        static async Task Run(UnobservedExceptionMonitor monitor)
        {
            var probe = new OperationProbe<int>(2, honorCancellation: false);
            Task<int[]> gather = Async.Gather(probe.Operations);
            probe.Completions[0].SetCanceled(); // canceled by itself
            await WaitUntil(() => probe.Tokens[1].IsCancellationRequested);
            probe.Completions[1].SetException(monitor.NewException());
            await FluentActions.Awaiting(() => gather.Guard()).Should().ThrowAsync<OperationCanceledException>();
            gather.IsCanceled.Should().BeTrue();
        }
    }

    [Fact]
    public async Task Gather_Operations_CallerToken_CancelsRunningStartsNoMoreWaitsThenThrows()
    {
        using var cts = new CancellationTokenSource();
        var probe = new OperationProbe<int>(4, honorCancellation: false);
        Task<int[]> gather = Async.Gather(probe.Operations, maxConcurrency: 2, cancellationToken: cts.Token);
        Task<bool> ignoringEndedFirst = gather.AtCompletion(() => probe.Completions[1].Task.IsCompleted);

        cts.Cancel();
        probe.Tokens[0].IsCancellationRequested.Should().BeTrue();
        probe.Tokens[1].IsCancellationRequested.Should().BeTrue();
        probe.Completions[0].SetResult(0);
        await WaitUntil(() => probe.Running == 1);
        probe.Completions[1].SetCanceled();

        (await FluentActions.Awaiting(() => gather.Guard()).Should().ThrowAsync<OperationCanceledException>()).Which.CancellationToken.Should().Be(cts.Token);
        (await ignoringEndedFirst).Should().BeTrue("the operation ignoring its token is awaited");
        probe.Started(2).Should().BeFalse("the completion of operation 0 after the cancellation starts nothing");
        probe.Running.Should().Be(0);
    }

    [Fact]
    public async Task Gather_Operations_TokenAlreadyCanceled_StartsNothing()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var probe = new OperationProbe<int>(3);
        Task<int[]> gather = Async.Gather(probe.Operations, cancellationToken: cts.Token);
        await FluentActions.Awaiting(() => gather.Guard()).Should().ThrowAsync<OperationCanceledException>();
        probe.StartOrder.Should().BeEmpty();

        Task<Outcome<int>[]> outcomes = Async.GatherOutcomes(probe.Operations, cancellationToken: cts.Token);
        await FluentActions.Awaiting(() => outcomes.Guard()).Should().ThrowAsync<OperationCanceledException>();
        probe.StartOrder.Should().BeEmpty();
    }

    [Fact]
    public async Task Gather_Operations_Empty_CompletedEmptyArray()
    {
        (await Async.Gather(Array.Empty<Func<CancellationToken, Task<int>>>())).Should().BeEmpty();
        (await Async.GatherOutcomes(Array.Empty<Func<CancellationToken, Task<int>>>())).Should().BeEmpty();
    }

    [Fact]
    public void Gather_Operations_InvalidArguments_ThrowAtTheCall()
    {
        Func<CancellationToken, Task<int>>[] ops = { _ => Task.FromResult(1) };
        Call(() => Async.Gather((IEnumerable<Func<CancellationToken, Task<int>>>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("operations");
        Call(() => Async.Gather(new Func<CancellationToken, Task<int>>[] { null! })).Should().Throw<ArgumentException>().WithParameterName("operations");
        Call(() => Async.Gather(ops, maxConcurrency: 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("maxConcurrency");
        Call(() => Async.GatherOutcomes(ops, maxConcurrency: -1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("maxConcurrency");
        Call(() => Async.GatherOutcomes(new Func<CancellationToken, Task<int>>[] { null! })).Should().Throw<ArgumentException>().WithParameterName("operations");
        Call(() => Async.Gather(ops[0], (Func<CancellationToken, Task<int>>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("operation2");
    }

    [Fact]
    public async Task Gather_Operations_IgnoresToken_CallWaitsForIt()
    {
        var release = Source<int>();
        var fail = Source<int>();
        int finished = 0;
        Task<int[]> gather = Async.Gather(new Func<CancellationToken, Task<int>>[]
        {
            _ => fail.Task,
            async _ => { int v = await release.Task; Interlocked.Increment(ref finished); return v; },
        });
        Task<bool> ignoringEndedFirst = gather.AtCompletion(() => Volatile.Read(ref finished) == 1);
        fail.SetException(new FormatException());
        release.SetResult(1);
        await FluentActions.Awaiting(() => gather.Guard()).Should().ThrowAsync<FormatException>();
        (await ignoringEndedFirst).Should().BeTrue("Gather waits for the operation that ignores its token");
    }

    [Fact]
    public async Task GatherOutcomes_Operations_RunsEverythingRegardlessOfFailures()
    {
        var probe = new OperationProbe<int>(4);
        Task<Outcome<int>[]> all = Async.GatherOutcomes(probe.Operations, maxConcurrency: 2);
        probe.Completions[0].SetException(new FormatException());
        await WaitUntil(() => probe.StartOrder.Count == 3);
        probe.Completions[1].SetCanceled();
        await WaitUntil(() => probe.StartOrder.Count == 4);
        probe.Completions[2].SetResult(2);
        probe.Completions[3].SetResult(3);
        Outcome<int>[] outcomes = await all.Guard();
        outcomes[0].IsFaulted.Should().BeTrue();
        outcomes[1].IsCanceled.Should().BeTrue();
        outcomes.Skip(2).Select(o => o.Value).Should().Equal(2, 3);
        probe.Tokens.Should().OnlyContain(t => !t.IsCancellationRequested);
    }

    [Fact]
    public async Task GatherOutcomes_Operations_CallerToken_CancelsWaitsThrows()
    {
        using var cts = new CancellationTokenSource();
        var probe = new OperationProbe<int>(3);
        Task<Outcome<int>[]> all = Async.GatherOutcomes(probe.Operations, maxConcurrency: 1, cancellationToken: cts.Token);
        cts.Cancel();
        await FluentActions.Awaiting(() => all.Guard()).Should().ThrowAsync<OperationCanceledException>();
        probe.StartOrder.Should().Equal(0);
    }

    [Fact]
    public async Task Gather_Operations_TenThousandRandom_BoundNeverExceededAllFinished()
    {
        var random = new Random(12345);
        int[] delays = Enumerable.Range(0, 10_000).Select(_ => random.Next(0, 4)).ToArray();
        bool[] fails = Enumerable.Range(0, 10_000).Select(_ => random.Next(0, 50) == 0).ToArray();
        int running = 0;
        int peak = 0;
        int finished = 0;

        Func<CancellationToken, Task<int>> Op(int i) => async ct =>
        {
            int now = Interlocked.Increment(ref running);
            int seen;
            while (now > (seen = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen)
            {
            }

            try
            {
                for (int y = 0; y < delays[i]; y++)
                {
                    await Task.Yield();
                }

                return fails[i] ? throw new FormatException($"op {i}") : i;
            }
            finally
            {
                Interlocked.Decrement(ref running);
                Interlocked.Increment(ref finished);
            }
        };

        Outcome<int>[] outcomes = await Async.GatherOutcomes(Enumerable.Range(0, 10_000).Select(Op), maxConcurrency: 8).Guard();
        peak.Should().BeLessThanOrEqualTo(8);
        Volatile.Read(ref running).Should().Be(0);
        outcomes.Count(o => o.IsFaulted).Should().Be(fails.Count(f => f));

        peak = 0;
        finished = 0;
        Task<int[]> gather = Async.Gather(Enumerable.Range(0, 10_000).Select(Op), maxConcurrency: 8);
        await gather.WhenSettled();
        gather.IsFaulted.Should().BeTrue();
        Volatile.Read(ref running).Should().Be(0, "no started operation is still running when Gather completes");
        peak.Should().BeLessThanOrEqualTo(8);
        finished.Should().BeLessThan(10_000, "nothing starts after the first failure");

        int[] all = await Async.Gather(Enumerable.Range(0, 10_000).Select(i => (Func<CancellationToken, Task<int>>)(async _ => { await Task.Yield(); return i; })), maxConcurrency: 16).Guard();
        all.Should().Equal(Enumerable.Range(0, 10_000));
    }

    [Fact]
    public async Task Gather_Operations_CancellationRacingWithCompletion_ValueOrCanceledNeverHang()
    {
        for (int i = 0; i < 300; i++)
        {
            using var cts = new CancellationTokenSource();
            var probe = new OperationProbe<int>(2);
            Task<int[]> gather = Async.Gather(probe.Operations, cancellationToken: cts.Token);
            Task a = Task.Run(() => { probe.Completions[0].TrySetResult(0); probe.Completions[1].TrySetResult(1); });
            Task b = Task.Run(cts.Cancel);
            await Task.WhenAll(a, b);
            await gather.WhenSettled();
            (gather.IsCompletedSuccessfully || gather.IsCanceled).Should().BeTrue();
            probe.Running.Should().Be(0);
        }
    }

    [Fact]
    public async Task Gather_Operations_Heterogeneous_AllArities()
    {
        var (user, count) = await Async.Gather(ct => Task.FromResult("ada"), ct => Task.FromResult(3));
        (user, count).Should().Be(("ada", 3));
        (await Async.Gather(_ => Task.FromResult(1), _ => Task.FromResult("b"), async _ => { await Task.Yield(); return 3.0; })).Should().Be((1, "b", 3.0));
        (await Async.Gather(_ => Task.FromResult(1), _ => Task.FromResult(2), _ => Task.FromResult(3), _ => Task.FromResult(4))).Should().Be((1, 2, 3, 4));
        (await Async.Gather(_ => Task.FromResult(1), _ => Task.FromResult(2), _ => Task.FromResult(3), _ => Task.FromResult(4), _ => Task.FromResult('e'))).Should().Be((1, 2, 3, 4, 'e'));
    }

    [Fact]
    public async Task Gather_Operations_Heterogeneous_FailureCancelsTheOtherAndKeepsAllFailures()
    {
        CancellationToken seen = default;
        var release = Source<string>();
        var fail = Source<int>();
        Task<(int, string)> pair = Async.Gather(
            _ => fail.Task,
            ct => { seen = ct; ct.Register(() => release.TrySetException(new InvalidOperationException("second"))); return release.Task; });

        fail.SetException(new FormatException("first"));
        var thrown = await FluentActions.Awaiting(() => pair.Guard()).Should().ThrowAsync<FormatException>();
        thrown.Which.Message.Should().Be("first", pair.Exception!.ToString());
        seen.IsCancellationRequested.Should().BeTrue();
        pair.Exception!.InnerExceptions.Should().HaveCount(2);

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await FluentActions.Awaiting(() => Async.Gather(_ => Task.FromResult(1), _ => Task.FromResult(2), _ => Task.FromResult(3), cts.Token)).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Gather_Operations_Heterogeneous_OperationWithSeveralExceptions_KeepsEveryOne()
    {
        var first = new FormatException();
        var second = new InvalidOperationException();
        var pending = Source<int>();
        var done = Source<int>();
        done.SetException(new Exception[] { first, second });

        Task<(int, string)> later = Async.Gather(_ => pending.Task, _ => Task.FromResult("x"));
        Task<(int, string)> already = Async.Gather(_ => done.Task, _ => Task.FromResult("x"));
        pending.SetException(new Exception[] { first, second });
        await later.WhenSettled();
        await already.WhenSettled();

        later.Exception!.InnerExceptions.Should().Equal(new Exception[] { first, second }, "as the array form, every failure is kept");
        already.Exception!.InnerExceptions.Should().Equal(new Exception[] { first, second }, "as the array form, every failure is kept");
    }

    [Fact]
    public async Task Gather_Operations_Heterogeneous_FirstFailsAtTheCall_StartsNoOther()
    {
        var boom = new FormatException("at the call");
        int secondStarted = 0;
        Task<(int, string)> faulted = Async.Gather(_ => Task.FromException<int>(boom), _ => { secondStarted++; return Task.FromResult("x"); });
        Task<(int, string)> thrown = Async.Gather<int, string>(_ => throw boom, _ => { secondStarted++; return Task.FromResult("x"); });

        secondStarted.Should().Be(0, "an operation that fails at the call stops the run before the next one starts");
        (await FluentActions.Awaiting(() => faulted.Guard()).Should().ThrowAsync<FormatException>()).Which.Should().BeSameAs(boom);
        (await FluentActions.Awaiting(() => thrown.Guard()).Should().ThrowAsync<FormatException>()).Which.Should().BeSameAs(boom);
        secondStarted.Should().Be(0);
    }

    private static async Task<T> FailLater<T>(string message)
    {
        await Task.Yield();
        throw new FormatException(message);
    }

    [Fact]
    public async Task Gather_Operations_NullTaskOrSynchronousCancellation_CountAsFailures()
    {
        await FluentActions.Awaiting(() => Async.Gather(new Func<CancellationToken, Task<int>>[] { _ => null! })).Should().ThrowAsync<InvalidOperationException>().WithMessage("*null task*");
        Task<int[]> canceled = Async.Gather(new Func<CancellationToken, Task<int>>[] { _ => throw new OperationCanceledException() });
        await FluentActions.Awaiting(() => canceled.Guard()).Should().ThrowAsync<OperationCanceledException>();
        canceled.IsCanceled.Should().BeTrue();

        var group = new TaskGroup();
        Task child = group.Run(new Func<CancellationToken, Task>(_ => throw new OperationCanceledException()));
        child.IsCanceled.Should().BeTrue();
        Task nullChild = group.Run(new Func<CancellationToken, Task>(_ => null!));
        nullChild.IsFaulted.Should().BeTrue();
        await FluentActions.Awaiting(() => group.DisposeAsync().AsTask()).Should().ThrowAsync<AggregateException>();
    }

    [Fact]
    public async Task Gather_Operations_CancellationCallbackThrows_GatherStillStopsAndWaits()
    {
        var slow = Source<int>();
        Task<int[]> gather = Async.Gather(new Func<CancellationToken, Task<int>>[]
        {
            ct =>
            {
                ct.Register(() => throw new InvalidOperationException("callback"));
                ct.Register(() => slow.TrySetCanceled(ct));
                return slow.Task;
            },
            _ => FailLater<int>("first"),
        });
        await FluentActions.Awaiting(() => gather.Guard()).Should().ThrowAsync<FormatException>();
        slow.Task.IsCanceled.Should().BeTrue();
    }

    [Fact]
    public async Task Gather_Operations_AfterTheStopAnOperationFaultsWithCancellationAndAnotherException_KeepsTheOther()
    {
        // An operation that returns Task.WhenAll directly, of workers that each honour the token by throwing (Task.Run
        // without the token faults with the OperationCanceledException), faults with the cancellation first and a real
        // failure after it.
        var boom = new FormatException("first");
        var late = new InvalidOperationException("late");
        var second = Source<int>();
        Task<int[]> gather = Async.Gather(new Func<CancellationToken, Task<int>>[]
        {
            ct =>
            {
                ct.Register(() => second.TrySetException(new Exception[] { new OperationCanceledException(ct), late }));
                return second.Task;
            },
            _ => Task.FromException<int>(boom),
        });

        await FluentActions.Awaiting(() => gather.Guard()).Should().ThrowAsync<FormatException>();
        gather.Exception!.InnerExceptions.Should().Equal(boom, late);
    }
}
