using AsyncCombinators.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AsyncCombinators.Tests;

public class AsCompletedDeadlineMoreTests
{
    [Fact]
    public async Task AsCompleted_OperationsCompletedBeforeDeadlineNotYetConsumed_AreYieldedThenTimeout()
    {
        var clock = new FakeTimeProvider();
        var probe = new OperationProbe<int>(5);
        await using IAsyncEnumerator<(int Index, Task<int> Task)> e =
            Async.AsCompleted(probe.Operations, maxConcurrency: 2, timeout: TimeSpan.FromSeconds(10), clock).GetAsyncEnumerator();

        ValueTask<bool> next = e.MoveNextAsync();
        await Polling.Until(() => probe.Started(1));
        probe.Completions[0].SetResult(0);
        (await next.AsTask().Guard()).Should().BeTrue();
        e.Current.Index.Should().Be(0);

        // The consumer does not ask: 1 and 2 complete; the starts of 3 and 4 show the run has taken each completion.
        await Polling.Until(() => probe.Started(2));
        probe.Completions[1].SetResult(1);
        await Polling.Until(() => probe.Started(3));
        probe.Completions[2].SetResult(2);
        await Polling.Until(() => probe.Started(4));

        clock.Advance(TimeSpan.FromSeconds(10));
        await Polling.Until(() => probe.Tokens[3].IsCancellationRequested && probe.Tokens[4].IsCancellationRequested);

        (await e.MoveNextAsync().AsTask().Guard()).Should().BeTrue();
        e.Current.Index.Should().Be(1);
        (await e.Current.Task).Should().Be(1);
        (await e.MoveNextAsync().AsTask().Guard()).Should().BeTrue();
        e.Current.Index.Should().Be(2);
        (await e.Current.Task).Should().Be(2);

        Func<Task> act = () => e.MoveNextAsync().AsTask().Guard();
        await act.Should().ThrowAsync<TimeoutException>();
        probe.Running.Should().Be(0, "the running operations were cancelled and awaited");
        probe.StartOrder.Should().Equal(0, 1, 2, 3, 4);
    }

    [Fact]
    public async Task AsCompleted_DeadlinePassedBeforeFirstMoveNext_StartsNothingAndThrowsTimeout()
    {
        var clock = new FakeTimeProvider();
        var probe = new OperationProbe<int>(3);
        var source = new TrackedAsyncSource(count: 3);
        await using IAsyncEnumerator<(int Index, Task<int> Task)> e =
            Async.AsCompleted(source, (i, ct) => probe.Operations[i](ct), maxConcurrency: 2, timeout: TimeSpan.FromSeconds(2), clock).GetAsyncEnumerator();

        clock.Advance(TimeSpan.FromSeconds(3));

        Func<Task> act = () => e.MoveNextAsync().AsTask().Guard();
        await act.Should().ThrowAsync<TimeoutException>();
        probe.StartOrder.Should().BeEmpty("nothing starts after the deadline");
        source.Taken.Should().Be(0, "no item is taken from the source after the deadline");
    }
}
