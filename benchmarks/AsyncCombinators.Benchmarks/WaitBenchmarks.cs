using System;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace AsyncCombinators.Benchmarks;

/// <summary>Wait(FirstCompleted) vs Task.WhenAny over pending inputs: one input completes.</summary>
[MemoryDiagnoser]
public class WaitFirstCompletedBenchmarks
{
    [Params(10, 1000)]
    public int N { get; set; }

    [Benchmark(Baseline = true)]
    public async Task<Task<int>> WhenAny()
    {
        var (sources, tasks) = Inputs.Pending(N);
        Task<Task<int>> any = Task.WhenAny(tasks);
        sources[N / 2].SetResult(1);
        return await any;
    }

    [Benchmark]
    public async Task<int> Wait()
    {
        var (sources, tasks) = Inputs.Pending(N);
        var wait = Async.Wait(tasks, ReturnWhen.FirstCompleted);
        sources[N / 2].SetResult(1);
        return (await wait).Done.Count;
    }
}

/// <summary>Wait(AllCompleted) vs Task.WhenAll(Task[]).</summary>
[MemoryDiagnoser]
public class WaitAllCompletedBenchmarks
{
    [Params(10, 100, 1000)]
    public int N { get; set; }

    [Benchmark(Baseline = true)]
    public async Task<int> WhenAll()
    {
        var (sources, tasks) = Inputs.Pending(N);
        Task all = Task.WhenAll((Task[])tasks);
        Inputs.CompleteAll(sources);
        await all;
        return tasks.Length;
    }

    [Benchmark]
    public async Task<int> Wait()
    {
        var (sources, tasks) = Inputs.Pending(N);
        var wait = Async.Wait(tasks);
        Inputs.CompleteAll(sources);
        return (await wait).Done.Count;
    }
}

/// <summary>WaitFor vs Task.WaitAsync, hot and cold.</summary>
[MemoryDiagnoser]
public class WaitForBenchmarks
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private static readonly Task<int> s_completed = Task.FromResult(1);
    private static readonly Func<System.Threading.CancellationToken, Task<int>> s_synchronous = _ => s_completed;

    [Benchmark(Baseline = true)]
    public async Task<int> WaitAsyncPending()
    {
        var source = new TaskCompletionSource<int>();
        Task<int> wait = source.Task.WaitAsync(s_timeout);
        source.SetResult(1);
        return await wait;
    }

    [Benchmark]
    public async Task<int> WaitForHotPending()
    {
        var source = new TaskCompletionSource<int>();
        Task<int> wait = Async.WaitFor(source.Task, s_timeout);
        source.SetResult(1);
        return await wait;
    }

    private TaskCompletionSource<int>? _current;
    private Func<System.Threading.CancellationToken, Task<int>>? _operation;

    [GlobalSetup]
    public void Setup() => _operation = _ => _current!.Task;

    /// <summary>The operation delegate is made once, as a caller would cache it (a capturing lambda per call would be the caller's cost).</summary>
    [Benchmark]
    public async Task<int> WaitForColdPending()
    {
        var source = new TaskCompletionSource<int>();
        _current = source;
        Task<int> wait = Async.WaitFor(_operation!, s_timeout);
        source.SetResult(1);
        return await wait;
    }

    [Benchmark]
    public Task<int> WaitAsyncCompleted() => s_completed.WaitAsync(s_timeout);

    [Benchmark]
    public Task<int> WaitForColdSynchronous() => Async.WaitFor(s_synchronous, s_timeout);
}
