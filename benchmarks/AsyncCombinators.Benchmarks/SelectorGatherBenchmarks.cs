using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace AsyncCombinators.Benchmarks;

/// <summary>
/// Gather over a source and a selector vs Parallel.ForEachAsync into an array, and vs the SemaphoreSlim +
/// Task.WhenAll pattern (which creates a task per item up front). Every row runs the same asynchronously completing
/// step per item.
/// </summary>
[MemoryDiagnoser]
public class SelectorGatherBenchmarks
{
    private const int MaxConcurrency = 16;

    private int[] _items = null!;

    [ParamsSource(nameof(ItemCounts))]
    public int N { get; set; }

    public static IEnumerable<int> ItemCounts => Inputs.ItemCounts(100_000);

    [GlobalSetup]
    public void Setup() => _items = Inputs.Items(N);

    [Benchmark(Baseline = true)]
    public async Task<int[]> ParallelForEachAsync()
    {
        var results = new int[_items.Length];
        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrency };
        await Parallel.ForEachAsync(_items, options, async (item, ct) =>
        {
            results[item] = await Inputs.YieldThenReturn(item, ct);
        });
        return results;
    }

    [Benchmark]
    public Task<int[]> Gather() => Async.Gather(_items, Inputs.YieldThenReturn, MaxConcurrency);

    [Benchmark]
    public async Task<int[]> SemaphoreSlimWhenAll()
    {
        using var gate = new SemaphoreSlim(MaxConcurrency);
        var tasks = new Task<int>[_items.Length];
        for (int i = 0; i < tasks.Length; i++)
        {
            tasks[i] = Run(_items[i]);
        }

        return await Task.WhenAll(tasks);

        async Task<int> Run(int item)
        {
            await gate.WaitAsync();
            try
            {
                return await Inputs.YieldThenReturn(item, CancellationToken.None);
            }
            finally
            {
                gate.Release();
            }
        }
    }
}
