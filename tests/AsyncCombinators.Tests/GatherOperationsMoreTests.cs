using AsyncCombinators.Tests.Infrastructure;

namespace AsyncCombinators.Tests;

public class GatherOperationsMoreTests
{
    /// <summary>
    /// Operations complete on several pool threads at once and one faults. The stop (marked by the first cancellation
    /// callback on an operation's token, which runs inside the stop) can race with the one launcher, which may have
    /// claimed its next operation just before it: so at most one start follows the stop, never more, and every started
    /// operation's token is cancelled and no operation runs by the time Gather's task completes.
    /// </summary>
    [Fact]
    public async Task Gather_FaultUnderContention_AtMostTheClaimInFlightStartsAfterTheStop()
    {
        const int count = 5_000;
        const int maxConcurrency = 8;
        const int failing = 2_500;
        for (int round = 0; round < 3; round++)
        {
            long sequence = 0;
            long stopSequence = long.MaxValue;
            int running = 0;
            var startSequence = new long[count];
            var tokens = new CancellationToken[count];
            var boom = new InvalidOperationException("boom");

            Task<int[]> run = Task.Run(() => Async.Gather(Enumerable.Range(0, count), (i, ct) =>
            {
                Interlocked.Increment(ref running);
                startSequence[i] = Interlocked.Increment(ref sequence);
                tokens[i] = ct;
                ct.Register(() => InterlockedMin(ref stopSequence, Interlocked.Increment(ref sequence)));
                return Task.Run(() =>
                {
                    try
                    {
                        Thread.SpinWait(100);
                        return i == failing ? throw boom : i;
                    }
                    finally
                    {
                        Interlocked.Decrement(ref running);
                    }
                });
            }, maxConcurrency));
            Task<bool> settledAtCompletion = run.AtCompletion(() =>
                Volatile.Read(ref running) == 0 && Enumerable.Range(0, count).Where(i => Volatile.Read(ref startSequence[i]) != 0).All(i => tokens[i].IsCancellationRequested));

            Func<Task> act = () => run.Guard();
            (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
            (await settledAtCompletion).Should().BeTrue("no operation runs and every started one's token is cancelled when Gather completes");

            long[] started = startSequence.TakeWhile(s => s != 0).ToArray();
            startSequence.Skip(started.Length).Should().OnlyContain(s => s == 0, "operations start in input order");
            started.Should().BeInAscendingOrder("operations start in input order");
            started.Length.Should().BeGreaterThan(failing);
            stopSequence.Should().NotBe(long.MaxValue);
            started.Count(s => s > stopSequence).Should().BeLessThanOrEqualTo(1, "only an operation claimed before the stop may start after it");
        }
    }

    private static void InterlockedMin(ref long target, long value)
    {
        long current = Volatile.Read(ref target);
        while (value < current)
        {
            long seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
