using AsyncCombinators.Tests.Infrastructure;

namespace AsyncCombinators.StressTests;

/// <summary>Timeouts and cancellations that fire at the moment the inputs complete, thousands of times.</summary>
public class RaceTests
{
    private const int Rounds = 3_000;

    [Fact]
    public async Task WaitFor_TimeoutRacingCompletion_AlwaysValueOrTimeout()
    {
        int values = 0;
        int timeouts = 0;
        for (int i = 0; i < Rounds; i++)
        {
            var time = new ManualTimeProvider();
            var op = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            Task<int> wait = Async.WaitFor(ct => { ct.Register(() => op.TrySetCanceled(ct)); return op.Task; }, TimeSpan.FromSeconds(1), time, CancellationToken.None);
            using var start = new Barrier(2);
            Task completer = Task.Run(() => { start.SignalAndWait(); op.TrySetResult(i); });
            start.SignalAndWait();
            time.Advance(TimeSpan.FromSeconds(1));
            await completer;
            await wait.WhenSettled();
            if (wait.IsCompletedSuccessfully)
            {
                wait.Result.Should().Be(i);
                values++;
            }
            else
            {
                wait.Exception!.InnerException.Should().BeOfType<TimeoutException>();
                timeouts++;
            }

            time.ActiveTimers.Should().Be(0);
        }

        (values + timeouts).Should().Be(Rounds);
    }

    [Fact]
    public async Task Gather_InputsOfOneGroupCompletedByTwoThreadsAtOnce_EachCountedOnce()
    {
        // Eight inputs share one group: both threads' completions run the group's delegate at the same time, and each
        // input must be claimed by exactly one of the runs (counted twice, the gather would end before its last input).
        for (int i = 0; i < Rounds; i++)
        {
            var sources = Enumerable.Range(0, 9).Select(_ => new TaskCompletionSource<int>()).ToArray();
            Task<int[]> gather = Async.Gather(sources.Select(s => s.Task).ToArray());
            using var start = new Barrier(2);
            Task even = Task.Run(() => { start.SignalAndWait(); for (int k = 0; k < 8; k += 2) { sources[k].SetResult(k); } });
            Task odd = Task.Run(() => { start.SignalAndWait(); for (int k = 1; k < 8; k += 2) { sources[k].SetResult(k); } });
            await Task.WhenAll(even, odd);

            gather.IsCompleted.Should().BeFalse("input 8 is still pending (round {0})", i);
            sources[8].SetResult(8);
            (await gather.Guard()).Should().Equal(Enumerable.Range(0, 9));
        }
    }

    [Fact]
    public async Task WaitAndAsCompleted_TimeoutRacingCompletion_ConsistentResultsNeverHang()
    {
        for (int i = 0; i < Rounds; i++)
        {
            var time = new ManualTimeProvider();
            var input = new TaskCompletionSource<int>();
            var wait = Async.Wait(new[] { input.Task }, (ReturnWhen)(i % 3), TimeSpan.FromSeconds(1), time, CancellationToken.None);
            var enumerator = Async.AsCompleted(new[] { input.Task }, TimeSpan.FromSeconds(1), time, CancellationToken.None).GetAsyncEnumerator();
            ValueTask<bool> next = enumerator.MoveNextAsync();
            using var start = new Barrier(2);
            Task completer = Task.Run(() => { start.SignalAndWait(); input.SetResult(i); });
            start.SignalAndWait();
            time.Advance(TimeSpan.FromSeconds(1));
            await completer;

            var (done, pending) = await wait.Guard();
            (done.Count + pending.Count).Should().Be(1);
            try
            {
                (await next.AsTask().Guard()).Should().BeTrue();
                enumerator.Current.Should().BeSameAs(input.Task);
            }
            catch (TimeoutException)
            {
                // The deadline came first: allowed.
            }

            await enumerator.DisposeAsync();
            time.ActiveTimers.Should().Be(0);
        }
    }

    [Fact]
    public async Task Gather_CancellationRacingFailure_NeverHangsAlwaysObserved()
    {
        using var monitor = new UnobservedExceptionMonitor();
        for (int i = 0; i < Rounds; i++)
        {
            using var cts = new CancellationTokenSource();
            var a = new TaskCompletionSource<int>();
            var b = new TaskCompletionSource<int>();
            Task<int[]> hot = Async.Gather(new[] { a.Task, b.Task }, cts.Token);
            Task<int[]> cold = Async.Gather(new Func<CancellationToken, Task<int>>[] { _ => a.Task, _ => b.Task }, cancellationToken: cts.Token);
            using var start = new Barrier(3);
            Task t1 = Task.Run(() => { start.SignalAndWait(); a.SetException(monitor.NewException()); });
            Task t2 = Task.Run(() => { start.SignalAndWait(); cts.Cancel(); });
            start.SignalAndWait();
            b.SetResult(1);
            await Task.WhenAll(t1, t2);
            await hot.WhenSettled();
            await cold.WhenSettled();
            (hot.IsFaulted || hot.IsCanceled).Should().BeTrue();
            (cold.IsFaulted || cold.IsCanceled).Should().BeTrue();
            _ = hot.Exception;
            _ = cold.Exception;
        }

        monitor.CollectAndGetSeen().Should().BeEmpty();
    }
}
