using System.Collections.Concurrent;
using AsyncCombinators.Tests.Infrastructure;

namespace AsyncCombinators.Tests;

public class ContextAffinityTests
{
    public enum Combinator
    {
        Gather,
        GatherOutcomes,
        AsCompleted,
        FirstSuccessful,
        Map,
        Merge,
        GatherSelector,
    }

    private sealed record Start(int Thread, SynchronizationContext? Context, TaskScheduler Scheduler);

    /// <summary>Completes off any context: on a pool thread, after the caller has moved on.</summary>
    private static Task OffContext() => Task.Run(() => Thread.Sleep(1));

    private static async Task RunAsync(Combinator combinator, ConcurrentQueue<Start> starts)
    {
        void Record() => starts.Enqueue(new Start(Environment.CurrentManagedThreadId, SynchronizationContext.Current, TaskScheduler.Current));

        async Task<int> Operation(int i, CancellationToken ct)
        {
            Record();
            await OffContext().ConfigureAwait(false);
            return i;
        }

        var ops = Enumerable.Range(0, 6).Select(i => (Func<CancellationToken, Task<int>>)(ct => Operation(i, ct))).ToArray();
        switch (combinator)
        {
            case Combinator.Gather:
                (await Async.Gather(ops, maxConcurrency: 2)).Should().Equal(0, 1, 2, 3, 4, 5);
                break;
            case Combinator.GatherSelector:
                await Async.Gather(Enumerable.Range(0, 6), (i, ct) => (Task)Operation(i, ct), maxConcurrency: 2);
                break;
            case Combinator.GatherOutcomes:
                (await Async.GatherOutcomes(ops, maxConcurrency: 2)).Should().OnlyContain(o => o.IsSuccess);
                break;
            case Combinator.AsCompleted:
                await foreach (var (_, task) in Async.AsCompleted(ops, maxConcurrency: 2))
                {
                    await task;
                }

                break;
            case Combinator.FirstSuccessful:
                var failing = Enumerable.Range(0, 6).Select(i => (Func<CancellationToken, Task<int>>)(async ct =>
                {
                    Record();
                    await OffContext().ConfigureAwait(false);
                    return i < 5 ? throw new InvalidOperationException("fails") : i;
                })).ToArray();
                (await Async.FirstSuccessful(failing, staggerDelay: Timeout.InfiniteTimeSpan)).Should().Be(5);
                break;
            case Combinator.Map:
                var mapped = new List<int>();
                await foreach (int r in Async.Map(Enumerable.Range(0, 6), Operation, maxConcurrency: 2))
                {
                    mapped.Add(r);
                }

                mapped.Should().Equal(0, 1, 2, 3, 4, 5);
                break;
            case Combinator.Merge:
                async IAsyncEnumerable<int> Feed(int id)
                {
                    Record();
                    await OffContext().ConfigureAwait(false);
                    yield return id;
                    Record();
                    await OffContext().ConfigureAwait(false);
                    yield return id;
                    Record();
                }

                // Each feed records the starts of GetAsyncEnumerator's first MoveNextAsync, its second and its last.
                (await MapTests.Collect(Async.Merge(Enumerable.Range(0, 3).Select(Feed), maxConcurrency: 2))).Should().HaveCount(6);
                break;
        }
    }

    [Theory]
    [InlineData(Combinator.Gather)]
    [InlineData(Combinator.GatherSelector)]
    [InlineData(Combinator.GatherOutcomes)]
    [InlineData(Combinator.AsCompleted)]
    [InlineData(Combinator.FirstSuccessful)]
    [InlineData(Combinator.Map)]
    [InlineData(Combinator.Merge)]
    public async Task Start_OnSingleThreadSynchronizationContext_EveryOperationStartsOnTheContext(Combinator combinator)
    {
        using var context = new SingleThreadSynchronizationContext();
        int contextThread = await context.Run(() => Task.FromResult(Environment.CurrentManagedThreadId)).Guard();
        var starts = new ConcurrentQueue<Start>();

        await context.Run(async () =>
        {
            await RunAsync(combinator, starts);
            return 0;
        }).Guard();

        starts.Should().HaveCountGreaterThanOrEqualTo(6);
        starts.Should().OnlyContain(s => s.Thread == contextThread && s.Context == context);
    }

    [Theory]
    [InlineData(Combinator.Gather)]
    [InlineData(Combinator.GatherSelector)]
    [InlineData(Combinator.GatherOutcomes)]
    [InlineData(Combinator.AsCompleted)]
    [InlineData(Combinator.FirstSuccessful)]
    [InlineData(Combinator.Map)]
    [InlineData(Combinator.Merge)]
    public async Task Start_OnExclusiveScheduler_EveryOperationStartsOnTheScheduler(Combinator combinator)
    {
        var pair = new ConcurrentExclusiveSchedulerPair();
        var starts = new ConcurrentQueue<Start>();

        await Task.Factory.StartNew(() => RunAsync(combinator, starts), CancellationToken.None, TaskCreationOptions.None, pair.ExclusiveScheduler).Unwrap().Guard();

        starts.Should().HaveCountGreaterThanOrEqualTo(6);
        starts.Should().OnlyContain(s => s.Scheduler == pair.ExclusiveScheduler && s.Context == null);
    }

    [Fact]
    public async Task Start_TwoThousandOperationsOnExclusiveScheduler_StartInInputOrder()
    {
        var pair = new ConcurrentExclusiveSchedulerPair();
        var order = new ConcurrentQueue<int>();
        int[] result = await Task.Factory.StartNew(() => Async.Gather(Enumerable.Range(0, 2_000), (i, ct) =>
        {
            order.Enqueue(i);
            return Task.Run(() => i);
        }, maxConcurrency: 8), CancellationToken.None, TaskCreationOptions.None, pair.ExclusiveScheduler).Unwrap().Guard();

        result.Should().Equal(Enumerable.Range(0, 2_000));
        order.Should().Equal(Enumerable.Range(0, 2_000));
    }

    [Fact]
    public async Task Start_MapOverManyItemsCompletedFromSeveralThreads_StartsInSourceOrder()
    {
        var order = new ConcurrentQueue<int>();
        int count = 0;
        await Task.Run(async () =>
        {
            await foreach (int r in Async.Map(Enumerable.Range(0, 2_000), (i, ct) =>
            {
                order.Enqueue(i);
                return Task.Run(() => i);
            }, maxConcurrency: 8, ordered: false))
            {
                count++;
            }
        }).Guard();

        count.Should().Be(2_000);
        order.Should().Equal(Enumerable.Range(0, 2_000));
    }

    public enum BlockedForm
    {
        GatherOperations,
        GatherOperationsAtTheBound,
        GatherOutcomesOperations,
        GatherOverArray,
        GatherOverList,
    }

    /// <summary>
    /// Every operation has started before the caller blocks its context, so nothing has to run there any more: the call
    /// completes although the context is blocked (the runner must not post a pump there only to find the end of the input).
    /// </summary>
    [Theory]
    [InlineData(BlockedForm.GatherOperations)]
    [InlineData(BlockedForm.GatherOperationsAtTheBound)]
    [InlineData(BlockedForm.GatherOutcomesOperations)]
    [InlineData(BlockedForm.GatherOverArray)]
    [InlineData(BlockedForm.GatherOverList)]
    public async Task Start_CallerBlocksContextOnceEveryOperationStarted_CompletesWithoutDeadlock(BlockedForm form)
    {
        using var context = new SingleThreadSynchronizationContext();
        int count = form == BlockedForm.GatherOperationsAtTheBound ? 2 : 1;
        var gates = Enumerable.Range(0, count).Select(_ => TestUtil.Source<int>()).ToArray();
        using var allStarted = new CountdownEvent(count);
        Task<int> Operation(int i)
        {
            allStarted.Signal();
            return gates[i].Task;
        }

        var operations = Enumerable.Range(0, count).Select(i => (Func<CancellationToken, Task<int>>)(_ => Operation(i))).ToArray();
        Task<int> run = context.Run(() => Task.FromResult(form switch
        {
            BlockedForm.GatherOutcomesOperations => Async.GatherOutcomes(operations, maxConcurrency: count).GetAwaiter().GetResult().Sum(o => o.Value),
            BlockedForm.GatherOverArray => Async.Gather(Enumerable.Range(0, count).ToArray(), (i, _) => Operation(i), maxConcurrency: count).GetAwaiter().GetResult().Sum(),
            BlockedForm.GatherOverList => Async.Gather(Enumerable.Range(0, count).ToList(), (i, _) => Operation(i), maxConcurrency: count).GetAwaiter().GetResult().Sum(),
            _ => Async.Gather(operations, maxConcurrency: count).GetAwaiter().GetResult().Sum(),
        }));

        allStarted.Wait(TestUtil.HangTimeout).Should().BeTrue("every operation starts at the call");
        foreach (TaskCompletionSource<int> gate in gates)
        {
            gate.SetResult(1);
        }

        (await run.Guard()).Should().Be(count);
    }
}
