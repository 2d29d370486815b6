using AsyncCombinators.Tests.Infrastructure;

namespace AsyncCombinators.StressTests;

/// <summary>100,000 inputs completed from many thread-pool threads at once, with and without asynchronous continuations.</summary>
public class ConcurrencyTests
{
    private const int N = 100_000;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AllCombinators_HundredThousandInputsCompletedConcurrently_RightResults(bool asynchronousContinuations)
    {
        TaskCreationOptions options = asynchronousContinuations ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None;
        var sources = Enumerable.Range(0, N).Select(_ => new TaskCompletionSource<int>(options)).ToArray();
        Task<int>[] tasks = sources.Select(s => s.Task).ToArray();

        Task<int[]> gather = Async.Gather(tasks);
        Task<Outcome<int>[]> outcomes = Async.GatherOutcomes(tasks);
        Task<WaitResult<Task<int>>> all = Async.Wait(tasks, ReturnWhen.AllCompleted, TimeSpan.FromMinutes(5));
        Task<WaitResult<Task<int>>> firstException = Async.Wait(tasks, ReturnWhen.FirstException);
        Task<WaitResult<Task<int>>> allWithoutDeadline = Async.Wait(tasks);
        var yielded = new HashSet<Task<int>>();
        Task drain = Drain();

        Parallel.For(0, N, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount * 2 }, i => sources[i].SetResult(i));

        (await gather.Guard()).Should().Equal(Enumerable.Range(0, N));
        (await outcomes.Guard()).Select(o => o.Value).Should().Equal(Enumerable.Range(0, N));
        (await all.Guard()).Done.Should().HaveCount(N);
        (await firstException.Guard()).Pending.Should().BeEmpty();
        (await allWithoutDeadline.Guard()).Done.Should().Equal(tasks);
        await drain.Guard();
        yielded.Should().HaveCount(N, "each task is yielded exactly once");

        async Task Drain()
        {
            await foreach (Task<int> t in Async.AsCompleted(tasks, TimeSpan.FromMinutes(5)))
            {
                yielded.Add(t).Should().BeTrue();
            }
        }
    }

    [Fact]
    public async Task ColdOperations_HundredThousandCompletedFromThreadPool_BoundHeldResultsRight()
    {
        int running = 0;
        int peak = 0;
        Func<CancellationToken, Task<int>>[] ops = Enumerable.Range(0, N).Select(i => (Func<CancellationToken, Task<int>>)(_ =>
        {
            int now = Interlocked.Increment(ref running);
            int seen;
            while (now > (seen = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen)
            {
            }

            return Task.Run(() =>
            {
                Interlocked.Decrement(ref running);
                return i;
            });
        })).ToArray();

        (await Async.Gather(ops, maxConcurrency: 16).Guard()).Should().Equal(Enumerable.Range(0, N));
        peak.Should().BeLessThanOrEqualTo(16);

        int count = 0;
        await foreach (var (index, task) in Async.AsCompleted(ops, maxConcurrency: 16))
        {
            task.Result.Should().Be(index);
            count++;
        }

        count.Should().Be(N);
    }

    [Fact]
    public async Task ChainedSynchronousCompletions_HundredThousandDeep_NoStackOverflow()
    {
        // Completing the first source completes the next one inline from its continuation, and so on.
        var sources = Enumerable.Range(0, N).Select(_ => new TaskCompletionSource<int>()).ToArray();
        for (int i = 0; i < N - 1; i++)
        {
            int next = i + 1;
            _ = sources[i].Task.ContinueWith(_ => sources[next].SetResult(next), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        Task<int>[] tasks = sources.Select(s => s.Task).ToArray();
        Task<int[]> gather = Async.Gather(tasks);
        Task<WaitResult<Task<int>>> wait = Async.Wait(tasks, ReturnWhen.FirstException, TimeSpan.FromMinutes(5));
        Task<Outcome<int>[]> outcomes = Async.GatherOutcomes(tasks);
        int yielded = 0;
        Task drain = Drain();
        sources[0].SetResult(0);

        (await gather.Guard()).Should().Equal(Enumerable.Range(0, N));
        (await wait.Guard()).Done.Should().HaveCount(N);
        (await outcomes.Guard()).Should().HaveCount(N);
        await drain.Guard();
        yielded.Should().Be(N);

        async Task Drain()
        {
            await foreach (Task<int> _ in Async.AsCompleted(tasks))
            {
                yielded++;
            }
        }
    }

    [Fact]
    public async Task SynchronousOperations_HundredThousandInARow_NoStackOverflow()
    {
        var ops = Enumerable.Range(0, N).Select(i => (Func<CancellationToken, Task<int>>)(_ => Task.FromResult(i)));
        (await Async.Gather(ops, maxConcurrency: 1).Guard()).Should().HaveCount(N);
        (await Async.GatherOutcomes(ops, maxConcurrency: 2).Guard()).Should().HaveCount(N);
        (await Async.FirstSuccessful(Enumerable.Range(0, N).Select(i => (Func<CancellationToken, Task<int>>)(_ => i < N - 1 ? Task.FromException<int>(new FormatException()) : Task.FromResult(i))), Timeout.InfiniteTimeSpan).Guard()).Should().Be(N - 1);
    }
}
