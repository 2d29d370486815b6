using System;
using System.Threading;
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

    /// <summary>
    /// Not a product: the least any Wait(FirstCompleted) built on public APIs can do and still leave nothing on the losers.
    /// WhenAny (the only public way to wait for the first of many and detach from the rest) over a copy of the input (Wait
    /// must keep the inputs it was given), and one continuation that makes a result (WhenAny's is a <c>Task&lt;Task&gt;</c>).
    /// No argument checks, no duplicate check, no Done/Pending split.
    /// </summary>
    [Benchmark]
    public async Task<int> FloorWhenAnyAndContinuation()
    {
        var (sources, tasks) = Inputs.Pending(N);
        var copy = new Task<int>[tasks.Length];
        Array.Copy(tasks, copy, tasks.Length);
        Task<int> wait = Task.WhenAny(copy).ContinueWith(
            static (_, state) => ((Task<int>[])state!).Length,
            copy,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.RunContinuationsAsynchronously,
            TaskScheduler.Default);
        sources[N / 2].SetResult(1);
        return await wait;
    }

    /// <summary>
    /// Not a product: the floor above plus the least a duplicate check costs through public APIs, reading each input's
    /// <see cref="Task.Id"/> (assigned on first read, the cheapest identity a task offers): no table, no comparison.
    /// </summary>
    [Benchmark]
    public async Task<int> FloorWithTaskIds()
    {
        var (sources, tasks) = Inputs.Pending(N);
        var copy = new Task<int>[tasks.Length];
        Array.Copy(tasks, copy, tasks.Length);
        ReadIds(copy);
        Task<int> wait = Task.WhenAny(copy).ContinueWith(
            static (_, state) => ((Task<int>[])state!).Length,
            copy,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.RunContinuationsAsynchronously,
            TaskScheduler.Default);
        sources[N / 2].SetResult(1);
        return await wait;
    }

    /// <summary>Reads each task's id; the first read assigns it, which cannot be optimized away.</summary>
    internal static void ReadIds(Task[] tasks)
    {
        foreach (Task task in tasks)
        {
            _ = task.Id;
        }
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

    /// <summary>
    /// Not a product: the BCL's own wait for all that leaves the inputs' exceptions unobserved (Task.WhenAll observes them,
    /// which Wait must not), with a continuation that does nothing.
    /// </summary>
    [Benchmark]
    public async Task<int> ContinueWhenAll()
    {
        var (sources, tasks) = Inputs.Pending(N);
        Task<int> all = Task.Factory.ContinueWhenAll(
            tasks,
            static done => done.Length,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        Inputs.CompleteAll(sources);
        return await all;
    }

    /// <summary>
    /// Not a product: <see cref="ContinueWhenAll"/> plus the least a duplicate check costs through public APIs, reading
    /// each input's <see cref="Task.Id"/> (assigned on first read): no table, no comparison.
    /// </summary>
    [Benchmark]
    public async Task<int> ContinueWhenAllWithTaskIds()
    {
        var (sources, tasks) = Inputs.Pending(N);
        WaitFirstCompletedBenchmarks.ReadIds(tasks);
        Task<int> all = Task.Factory.ContinueWhenAll(
            tasks,
            static done => done.Length,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        Inputs.CompleteAll(sources);
        return await all;
    }
}

/// <summary>WaitFor vs Task.WaitAsync, hot and cold.</summary>
[MemoryDiagnoser]
public class WaitForBenchmarks
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private static readonly Task<int> s_completed = Task.FromResult(1);
    private static readonly Func<CancellationToken, Task<int>> s_synchronous = _ => s_completed;

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
    private Func<CancellationToken, Task<int>>? _operation;

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

    /// <summary>
    /// Not a product: what a caller writes by hand for a cold operation with a timeout: a token source that cancels itself
    /// (its timer starts before the operation is called), and an async method that awaits the operation and disposes the
    /// source. It does not turn a timeout into a TimeoutException, as WaitFor does.
    /// </summary>
    [Benchmark]
    public async Task<int> HandWrittenColdPending()
    {
        var source = new TaskCompletionSource<int>();
        _current = source;
        Task<int> wait = HandWritten(_operation!, s_timeout);
        source.SetResult(1);
        return await wait;
    }

    [Benchmark]
    public Task<int> WaitAsyncCompleted() => s_completed.WaitAsync(s_timeout);

    [Benchmark]
    public Task<int> WaitForColdSynchronous() => Async.WaitFor(s_synchronous, s_timeout);

    /// <summary>Not a product: the least a cold WaitFor does when the operation completes synchronously (a token source for it, and the call).</summary>
    [Benchmark]
    public Task<int> FloorColdSynchronous()
    {
        var source = new CancellationTokenSource();
        return s_synchronous(source.Token);
    }

    /// <summary>
    /// Not a product: the hand-written version above when the operation completes synchronously. It starts its timer
    /// before the call, so it pays for a timer it never needed; WaitFor starts one only once the operation is pending.
    /// </summary>
    [Benchmark]
    public Task<int> HandWrittenColdSynchronous() => HandWritten(s_synchronous, s_timeout);

    private static async Task<int> HandWritten(Func<CancellationToken, Task<int>> operation, TimeSpan timeout)
    {
        using var source = new CancellationTokenSource(timeout);
        return await operation(source.Token).ConfigureAwait(false);
    }
}
