using System;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace AsyncCombinators.Benchmarks;

/// <summary>
/// Gather with ConcurrencyOptions that set only MaxConcurrency (no MaxPerSecond, no RateLimiter) vs the int overload:
/// the options must add nothing measurable. Operations that complete synchronously expose the combinator's own cost
/// best; asynchronous ones show it in a realistic setting.
/// </summary>
[MemoryDiagnoser]
public class OptionsBenchmarks
{
    private const int OperationCount = 1000;
    private const int MaxConcurrency = 8;

    private Func<CancellationToken, Task<int>>[] _operations = null!;

    [Params(false, true)]
    public bool Asynchronous { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _operations = new Func<CancellationToken, Task<int>>[OperationCount];
        for (int i = 0; i < _operations.Length; i++)
        {
            int item = i;
            Task<int> completed = Task.FromResult(item);
            _operations[i] = Asynchronous ? ct => Inputs.YieldThenReturn(item, ct) : _ => completed;
        }
    }

    [Benchmark(Baseline = true)]
    public Task<int[]> IntOverload() => Async.Gather(_operations, MaxConcurrency);

    /// <summary>Creates the options at the call, as a caller writes it.</summary>
    [Benchmark]
    public Task<int[]> Options() => Async.Gather(_operations, new ConcurrencyOptions { MaxConcurrency = MaxConcurrency });
}
