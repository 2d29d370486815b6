using AsyncCombinators.ModelTests.Infrastructure;

namespace AsyncCombinators.ModelTests;

/// <summary>
/// Failing generated scenarios replayed as plain deterministic tests, so each stays covered whatever seeds CI draws.
/// </summary>
public sealed class RegressionTests
{
    [Fact]
    public void FirstSuccessful_StaggerTimerDueAfterWinner_StartsNoFurtherOperation() => ModelProperty.OffContext(() =>
    {
        var time = new ProbeTimeProvider();
        var first = new TaskCompletionSource<int>();
        var ignoring = new TaskCompletionSource<int>();
        int thirdStarts = 0;
        var ops = new Func<CancellationToken, Task<int>>[]
        {
            _ => first.Task,
            _ => ignoring.Task,
            _ =>
            {
                thirdStarts++;
                return Task.FromResult(3);
            },
        };

        Task<int> call = Async.FirstSuccessful(ops, TimeSpan.FromSeconds(1), time, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(1));
        first.SetResult(1);
        time.Advance(TimeSpan.FromSeconds(1));
        ignoring.SetResult(2);

        Hang.Settled(call, "FirstSuccessful");
        thirdStarts.Should().Be(0, "operations not yet started are never started once one has succeeded");
        call.Result.Should().Be(1);
    });

    /// <summary>
    /// Found by <see cref="FaultInjectionTests"/> (seed 0ZeykIPvNis4): when the TimeProvider's timer throws from Dispose,
    /// cancelling the caller's token left MoveNextAsync pending for ever. The enumeration must end with
    /// OperationCanceledException: a timer that fails to dispose cannot keep the wait from ending.
    /// </summary>
    [Fact]
    public void AsCompleted_TimerDisposeThrowsOnCancellation_EndsTheEnumeration() => ModelProperty.OffContext(() =>
    {
        var time = new ProbeTimeProvider(TimerFault.Dispose);
        using var cts = new CancellationTokenSource();
        var pending = new TaskCompletionSource<int>();
        IAsyncEnumerator<Task<int>> enumerator = Async.AsCompleted(new[] { pending.Task }, TimeSpan.FromSeconds(1), time, cts.Token).GetAsyncEnumerator();
        Task<bool> next = enumerator.MoveNextAsync().AsTask();

        cts.Cancel();

        Hang.Settled(next, "MoveNextAsync after the caller's token was cancelled");
        next.IsCanceled.Should().BeTrue("the caller's token ended the enumeration");
    });
}
