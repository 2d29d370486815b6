using AsyncCombinators.Tests.Infrastructure;

namespace AsyncCombinators.Tests;

public class MergeMoreTests
{
    [Fact]
    public async Task Merge_WithCancellationWhileRunning_CancelsAndDisposesEverySourceThenThrows()
    {
        var feeds = Enumerable.Range(0, 3).Select(_ => new TrackingFeed(items: 1)).ToArray();
        using var cts = new CancellationTokenSource();
        await using IAsyncEnumerator<int> e = Async.Merge(feeds, maxConcurrency: 2).GetAsyncEnumerator(cts.Token);

        (await e.MoveNextAsync().AsTask().Guard()).Should().BeTrue();
        (await e.MoveNextAsync().AsTask().Guard()).Should().BeTrue();
        await Polling.Until(() => feeds[0].Moves == 2 && feeds[1].Moves == 2);
        Task<bool> next = e.MoveNextAsync().AsTask();
        Task<bool> settled = next.AtCompletion(() => feeds[0].Disposed && feeds[1].Disposed);
        cts.Cancel();

        Func<Task> act = () => next.Guard();
        await act.Should().ThrowAsync<OperationCanceledException>();
        (await settled).Should().BeTrue("every source being enumerated is disposed before MoveNextAsync throws");
        feeds[0].Token.IsCancellationRequested.Should().BeTrue();
        feeds[1].Token.IsCancellationRequested.Should().BeTrue();
        feeds[2].Enumerations.Should().Be(0, "no source starts after the cancellation");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Merge_AlreadyCancelledToken_EnumeratesNoSourceAndThrows(bool viaWithCancellation)
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var feeds = Enumerable.Range(0, 3).Select(_ => new TrackingFeed(items: 2)).ToArray();
        IAsyncEnumerable<int> merged = Async.Merge(feeds, cancellationToken: viaWithCancellation ? default : cts.Token);
        IAsyncEnumerator<int> e = merged.GetAsyncEnumerator(viaWithCancellation ? cts.Token : default);

        Func<Task> act = () => e.MoveNextAsync().AsTask().Guard();
        await act.Should().ThrowAsync<OperationCanceledException>();
        await e.DisposeAsync();

        feeds.Should().OnlyContain(f => f.Moves == 0 && (f.Enumerations == 0 || f.Disposed));
        feeds.Sum(f => f.Enumerations).Should().Be(0, "nothing starts under an already-cancelled token");
    }
}
