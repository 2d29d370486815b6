using System.Collections.Generic;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace AsyncCombinators.Benchmarks;

/// <summary>
/// Map (source order and completion order) vs Parallel.ForEachAsync writing its results into an array, the way a
/// .NET user gets "for each item, at most 16 at once, with results" today. Every row runs the same asynchronously
/// completing step per item and stores every result in an array.
/// </summary>
[MemoryDiagnoser]
public class MapBenchmarks
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
    public Task<int[]> MapUnordered() => Drain(ordered: false);

    [Benchmark]
    public Task<int[]> MapOrdered() => Drain(ordered: true);

    private async Task<int[]> Drain(bool ordered)
    {
        var results = new int[_items.Length];
        int i = 0;
        await foreach (int result in Async.Map(_items, Inputs.YieldThenReturn, MaxConcurrency, ordered))
        {
            results[i++] = result;
        }

        return results;
    }
}
