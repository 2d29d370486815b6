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
    public async Task<int> WhenEach()
    {
        var (sources, tasks) = Inputs.Pending(N);
        int sum = 0;
        Task drain = Drain();
        Inputs.CompleteAll(sources);
        await drain;
        return sum;

        async Task Drain()
        {
            await foreach (Task<int> t in Task.WhenEach(tasks))
            {
                sum += t.Result;
            }
        }
    }

    [Benchmark]
    public async Task<int> AsCompleted()
    {
        var (sources, tasks) = Inputs.Pending(N);
        int sum = 0;
        Task drain = Drain();
        Inputs.CompleteAll(sources);
        await drain;
        return sum;

        async Task Drain()
        {
            await foreach (Task<int> t in Async.AsCompleted(tasks))
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
