using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace AsyncCombinators.Benchmarks;

/// <summary>Gather vs Task.WhenAll&lt;T&gt;. Pending inputs are created and completed identically on both sides.</summary>
[MemoryDiagnoser]
public class GatherBenchmarks
{
    private Task<int>[] _completed = null!;

    [Params(1, 10, 1000, 100_000)]
    public int N { get; set; }

    [Params(false, true)]
    public bool Pending { get; set; }

    [GlobalSetup]
    public void Setup() => _completed = Inputs.Completed(N);

    [Benchmark(Baseline = true)]
    public Task<int[]> WhenAll() => Pending ? Inputs.RunPending(N, Task.WhenAll) : Task.WhenAll(_completed);

    [Benchmark]
    public Task<int[]> Gather() => Pending ? Inputs.RunPending(N, Async.Gather) : Async.Gather(_completed);
}

/// <summary>GatherOutcomes vs Task.WhenAll&lt;T&gt; (which throws where GatherOutcomes reports).</summary>
[MemoryDiagnoser]
public class GatherOutcomesBenchmarks
{
    [Params(10, 1000, 10_000)]
    public int N { get; set; }

    [Benchmark(Baseline = true)]
    public Task<int[]> WhenAll() => Inputs.RunPending(N, Task.WhenAll);

    [Benchmark]
    public Task<Outcome<int>[]> GatherOutcomes() => Inputs.RunPending(N, Async.GatherOutcomes);
}
