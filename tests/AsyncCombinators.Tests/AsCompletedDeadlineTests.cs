using AsyncCombinators.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AsyncCombinators.Tests;

public class AsCompletedDeadlineTests
{
    [Fact]
    public async Task AsCompleted_DeadlineOverOperations_YieldsCompletedThenCancelsRunningThenThrowsTimeout()
    {
        var clock = new FakeTimeProvider();
        var probe = new OperationProbe<int>(5);
        await using IAsyncEnumerator<(int Index, Task<int> Task)> e =
            Async.AsCompleted(probe.Operations, maxConcurrency: 2, timeout: TimeSpan.FromSeconds(2), clock).GetAsyncEnumerator();

        ValueTask<bool> next = e.MoveNextAsync();
        await Polling.Until(() => probe.StartOrder.Count == 2);
        clock.Advance(TimeSpan.FromSeconds(1));
        probe.Completions[1].SetResult(10);
        (await next.AsTask().Guard()).Should().BeTrue();
        e.Current.Index.Should().Be(1);
        (await e.Current.Task).Should().Be(10);

        await Polling.Until(() => probe.StartOrder.Count == 3);
        next = e.MoveNextAsync();
        clock.Advance(TimeSpan.FromSeconds(1));

        Func<Task> act = () => next.AsTask().Guard();
        await act.Should().ThrowAsync<TimeoutException>();
        probe.Running.Should().Be(0, "the running operations are cancelled and awaited before the TimeoutException");
        probe.Tokens[0].IsCancellationRequested.Should().BeTrue();
        probe.Tokens[2].IsCancellationRequested.Should().BeTrue();
        probe.StartOrder.Should().Equal(0, 1, 2);
    }

    [Fact]
    public async Task AsCompleted_DeadlineOverSourceAndSelector_MeasuredFromGetAsyncEnumerator()
    {
        var clock = new FakeTimeProvider();
        var probe = new OperationProbe<int>(3);
        var source = new TrackedAsyncSource(count: 3);
        IAsyncEnumerator<(int Index, Task<int> Task)> e =
            Async.AsCompleted(source, (i, ct) => probe.Operations[i](ct), maxConcurrency: 8, timeout: TimeSpan.FromSeconds(2), clock).GetAsyncEnumerator();

        clock.Advance(TimeSpan.FromSeconds(2));
        Func<Task> act = async () =>
        {
            while (await e.MoveNextAsync())
            {
            }
        };

        await act.Should().ThrowAsync<TimeoutException>();
        probe.Running.Should().Be(0);
        source.Taken.Should().Be(0, "the deadline had passed at the first MoveNextAsync, so the source is never read");
        await e.DisposeAsync();
    }

    [Fact]
    public async Task AsCompleted_UntypedOperationsWithDeadline_ThrowsTimeoutAfterCancellingRunning()
    {
        var clock = new FakeTimeProvider();
        var gates = new[] { TestUtil.Source(), TestUtil.Source() };
        var tokens = new CancellationToken[2];
        var ops = Enumerable.Range(0, 2).Select(i => (Func<CancellationToken, Task>)(async ct =>
        {
            tokens[i] = ct;
            using (ct.Register(() => gates[i].TrySetCanceled(ct)))
            {
                await gates[i].Task;
            }
        })).ToArray();

        var yielded = new List<int>();
        Task loop = Task.Run(async () =>
        {
            await foreach (var (index, task) in Async.AsCompleted(ops, maxConcurrency: 2, timeout: TimeSpan.FromSeconds(2), clock))
            {
                yielded.Add(index);
                await task;
            }
        });

        await Polling.Until(() => tokens[1].CanBeCanceled);
        gates[0].SetResult();
        await Polling.Until(() => yielded.Count == 1);
        clock.Advance(TimeSpan.FromSeconds(2));

        Func<Task> act = () => loop.Guard();
        await act.Should().ThrowAsync<TimeoutException>();
        yielded.Should().Equal(0);
        tokens[1].IsCancellationRequested.Should().BeTrue();
        gates[1].Task.IsCanceled.Should().BeTrue();
    }

    [Fact]
    public async Task AsCompleted_AllCompleteBeforeDeadline_NoTimeout()
    {
        var clock = new FakeTimeProvider();
        var results = new List<int>();
        await foreach (var (index, task) in Async.AsCompleted(new[] { 1, 2, 3 }, (i, ct) => Task.FromResult(i), maxConcurrency: 2, timeout: TimeSpan.FromSeconds(1), clock))
        {
            results.Add(await task);
        }

        results.Should().BeEquivalentTo(new[] { 1, 2, 3 });
    }
}
