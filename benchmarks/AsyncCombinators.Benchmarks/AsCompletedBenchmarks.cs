using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace AsyncCombinators.Benchmarks;

/// <summary>Draining AsCompleted vs draining Task.WhenEach, and the O(n^2) Task.WhenAny loop people write by hand.</summary>
[MemoryDiagnoser]
public class AsCompletedBenchmarks
{
    [Params(1000, 10_000)]
    public int N { get; set; }

    [Benchmark(Baseline = true)]
    public Task<int> WhenEach() => Drain(tasks => Task.WhenEach(tasks));

    [Benchmark]
    public Task<int> AsCompleted() => Drain(tasks => Async.AsCompleted(tasks));

    /// <summary>Starts draining N pending inputs, completes them all, and waits for the drain: the same for every row.</summary>
    private async Task<int> Drain(Func<Task<int>[], IAsyncEnumerable<Task<int>>> inCompletionOrder)
    {
        var (sources, tasks) = Inputs.Pending(N);
        int sum = 0;
        Task drain = Consume();
        Inputs.CompleteAll(sources);
        await drain;
        return sum;

        async Task Consume()
        {
            await foreach (Task<int> t in inCompletionOrder(tasks))
            {
                sum += t.Result;
            }
        }
    }

    /// <summary>The loop people write by hand, draining the same way as the rows above: O(n^2), measured at N = 1000 only.</summary>
    [Benchmark]
    public async Task<int> WhenAnyLoop()
    {
        if (N > 1000)
        {
            return 0;
        }

        var (sources, tasks) = Inputs.Pending(N);
        int sum = 0;
        Task drain = Drain();
        Inputs.CompleteAll(sources);
        await drain;
        return sum;

        async Task Drain()
        {
            var remaining = new List<Task<int>>(tasks);
            while (remaining.Count > 0)
            {
                Task<int> t = await Task.WhenAny(remaining);
                remaining.Remove(t);
                sum += t.Result;
            }
        }
    }
}
