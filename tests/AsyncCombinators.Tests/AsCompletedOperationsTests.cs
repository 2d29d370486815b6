using AsyncCombinators.Tests.Infrastructure;
using static AsyncCombinators.Tests.Infrastructure.TestUtil;

namespace AsyncCombinators.Tests;

public class AsCompletedOperationsTests
{
    [Fact]
    public async Task AsCompleted_Operations_YieldsIndexAndTaskInCompletionOrder()
    {
        var probe = new OperationProbe<int>(3);
        var seen = new List<(int, int)>();
        Task consume = Consume();
        await WaitUntil(() => probe.StartOrder.Count == 3);
        probe.Completions[2].SetResult(20);
        await WaitUntil(() => seen.Count == 1);
        probe.Completions[0].SetException(new FormatException());
        await WaitUntil(() => seen.Count == 2);
        probe.Completions[1].SetResult(10);
        await consume.Guard();

        seen.Should().Equal((2, 20), (0, -1), (1, 10));

        async Task Consume()
        {
            await foreach (var (index, task) in Async.AsCompleted(probe.Operations))
            {
                lock (seen)
                {
                    seen.Add((index, task.IsCompletedSuccessfully ? task.Result : -1));
                }
            }
        }
    }

    [Fact]
    public async Task AsCompleted_Operations_BoundHeld_NextStartsWithoutConsumerAsking()
    {
        var probe = new OperationProbe<int>(4);
        await using var e = Async.AsCompleted(probe.Operations, maxConcurrency: 2).GetAsyncEnumerator();
        (await Task.FromResult(0)).Should().Be(0);
        ValueTask<bool> first = e.MoveNextAsync();
        probe.StartOrder.Should().Equal(0, 1);
        probe.Completions[0].SetResult(0);
        (await first.AsTask().Guard()).Should().BeTrue();
        probe.Completions[1].SetResult(1);
        await WaitUntil(() => probe.StartOrder.Count == 4);
        probe.Peak.Should().Be(2);
        probe.Completions[2].SetResult(2);
        probe.Completions[3].SetResult(3);
        var rest = new List<int>();
        while (await e.MoveNextAsync().AsTask().Guard())
        {
            rest.Add(e.Current.Index);
        }

        rest.Should().BeEquivalentTo(new[] { 1, 2, 3 });
    }

    [Fact]
    public async Task AsCompleted_Operations_BreakEarly_CancelsRunningAndWaitsForThem()
    {
        var probe = new OperationProbe<int>(4, honorCancellation: false);
        IAsyncEnumerator<(int Index, Task<int> Task)> e = Async.AsCompleted(probe.Operations, maxConcurrency: 2).GetAsyncEnumerator();
        ValueTask<bool> next = e.MoveNextAsync();
        probe.Completions[0].SetResult(0);
        (await next.AsTask().Guard()).Should().BeTrue();
        await WaitUntil(() => probe.Started(2));

        Task dispose = e.DisposeAsync().AsTask();
        Task<bool> runningEndedFirst = dispose.AtCompletion(() => probe.Completions[1].Task.IsCompleted && probe.Completions[2].Task.IsCompleted);
        await WaitUntil(() => probe.Tokens[1].IsCancellationRequested && probe.Tokens[2].IsCancellationRequested);
        probe.Completions[1].SetCanceled();
        probe.Completions[2].SetResult(2);
        await dispose.Guard();
        (await runningEndedFirst).Should().BeTrue("disposal waits for the running operations");
        probe.Started(3).Should().BeFalse();
        probe.Running.Should().Be(0);
    }

    [Fact]
    public async Task AsCompleted_Operations_Canceled_ThrowsAndCancelsRunning()
    {
        using var cts = new CancellationTokenSource();
        var probe = new OperationProbe<int>(2);
        Task run = Async.AsCompleted(probe.Operations, maxConcurrency: 4, cancellationToken: cts.Token).Drain();
        await WaitUntil(() => probe.StartOrder.Count == 2);
        cts.Cancel();
        await FluentActions.Awaiting(() => run.Guard()).Should().ThrowAsync<OperationCanceledException>();
        probe.Tokens.Should().OnlyContain(t => t.IsCancellationRequested);
        probe.Running.Should().Be(0);
    }

    [Fact]
    public async Task AsCompleted_Operations_WithCancellation_Throws()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var probe = new OperationProbe<int>(1);
        await FluentActions.Awaiting(() => Async.AsCompleted(probe.Operations).Drain(cts.Token)).Should().ThrowAsync<OperationCanceledException>();
        probe.StartOrder.Should().BeEmpty();
    }

    [Fact]
    public async Task AsCompleted_Operations_EmptyAndValidation()
    {
        (await Async.AsCompleted(Array.Empty<Func<CancellationToken, Task<int>>>()).Drain()).Should().BeEmpty();
        Call(() => Async.AsCompleted((IEnumerable<Func<CancellationToken, Task<int>>>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("operations");
        Call(() => Async.AsCompleted(new Func<CancellationToken, Task<int>>[] { null! })).Should().Throw<ArgumentException>().WithParameterName("operations");
        Call(() => Async.AsCompleted(new Func<CancellationToken, Task<int>>[] { _ => Task.FromResult(1) }, maxConcurrency: 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("maxConcurrency");
    }

    [Fact]
    public async Task AsCompleted_Operations_ThousandsSynchronous_NoStackOverflowAllYielded()
    {
        int count = 0;
        await foreach (var (index, task) in Async.AsCompleted(Enumerable.Range(0, 100_000).Select(i => (Func<CancellationToken, Task<int>>)(_ => Task.FromResult(i))), maxConcurrency: 3))
        {
            task.Result.Should().Be(index);
            count++;
        }

        count.Should().Be(100_000);
    }

    [Fact]
    public async Task AsCompleted_OperationsConsumerWorksSynchronouslyOnAnItem_NextOperationStartsMeanwhile()
    {
        TaskCompletionSource<int> first = Source<int>();
        using var secondStarted = new ManualResetEventSlim();
        var operations = new Func<CancellationToken, Task<int>>[]
        {
            _ => first.Task,
            _ =>
            {
                secondStarted.Set();
                return Task.FromResult(2);
            },
        };

        // On the thread pool, so that the waiting consumer goes on on the thread that completes the first operation.
        bool startedMeanwhile = await Task.Run(async () =>
        {
            await using IAsyncEnumerator<(int Index, Task<int> Task)> e = Async.AsCompleted(operations, maxConcurrency: 1).GetAsyncEnumerator();
            ValueTask<bool> move = e.MoveNextAsync();
            move.IsCompleted.Should().BeFalse("the first operation is running");
            Task<bool> body = WorkOnTheItem(move, secondStarted);
            first.SetResult(1);
            return await body;
        }).Guard();

        startedMeanwhile.Should().BeTrue("the next operation starts when one completes, whether or not the consumer has asked for the next item");

        static async Task<bool> WorkOnTheItem(ValueTask<bool> move, ManualResetEventSlim secondStarted)
        {
            (await move).Should().BeTrue();

            // Synchronous work in the loop body (parsing, a synchronous write), during which the freed slot must be in use.
            return secondStarted.Wait(HangTimeout);
        }
    }
}
